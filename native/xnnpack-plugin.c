/*
 * fer-edge: an external-delegate plugin that hands TFLite the XNNPACK delegate already built into the TFLite C
 * library tfjs-tflite-node ships (libtensorflowlite_c.so exports TfLiteXNNPackDelegateCreate, but tfjs-tflite-node
 * 0.0.2 can only load delegates through TFLite's external-delegate interface, which dlopens a library exporting the
 * two functions below). Built by scripts/build-xnnpack-plugin.sh against that same library.
 *
 * Options (key/value strings, from the back end): "num_threads" (0 = no XNNPACK thread pool) and "flags"
 * (TFLITE_XNNPACK_DELEGATE_FLAG_QS8 = 1 and _QU8 = 2: without them this TFLite version leaves int8 operators to its
 * own kernels).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct TfLiteDelegate TfLiteDelegate;
TfLiteDelegate* TfLiteXNNPackDelegateCreate(const void* options);
void TfLiteXNNPackDelegateDelete(TfLiteDelegate* delegate);

/*
 * TFLite prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." on stderr when the delegate is made, whatever
 * the application's logging: an SDK must write nothing to its application's stderr unless given a logger. The caller's
 * thread is inside this call, so only that line (and a failure's details, reported below instead) is kept off stderr.
 */
static TfLiteDelegate* create_quietly(const void* options, void (*report_error)(const char*)) {
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  int null_fd = open("/dev/null", O_WRONLY);
  if (saved < 0 || null_fd < 0 || dup2(null_fd, STDERR_FILENO) < 0) {
    if (saved >= 0) close(saved);
    if (null_fd >= 0) close(null_fd);
    return TfLiteXNNPackDelegateCreate(options);
  }
  close(null_fd);
  TfLiteDelegate* delegate = TfLiteXNNPackDelegateCreate(options);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  if (!delegate && report_error) report_error("fer-edge xnnpack plugin: TfLiteXNNPackDelegateCreate failed");
  return delegate;
}

TfLiteDelegate* tflite_plugin_create_delegate(char** keys, char** values, size_t count, void (*report_error)(const char*)) {
  /*
   * TfLiteXNNPackDelegateOptions starts { int32_t num_threads; uint32_t flags; } in every TFLite version; later ones
   * append fields. The library reads only the fields it knows, so a zeroed block larger than any layout is safe.
   */
  int options[32];
  memset(options, 0, sizeof options);
  for (size_t i = 0; i < count; i++) {
    if (strcmp(keys[i], "num_threads") == 0) {
      options[0] = atoi(values[i]);
    } else if (strcmp(keys[i], "flags") == 0) {
      options[1] = atoi(values[i]);
    } else if (report_error) {
      report_error("fer-edge xnnpack plugin: unknown option (expected num_threads, flags)");
      return NULL;
    }
  }
  return create_quietly(options, report_error);
}

void tflite_plugin_destroy_delegate(TfLiteDelegate* delegate) {
  TfLiteXNNPackDelegateDelete(delegate);
}
