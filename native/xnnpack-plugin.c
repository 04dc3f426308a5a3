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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct TfLiteDelegate TfLiteDelegate;
TfLiteDelegate* TfLiteXNNPackDelegateCreate(const void* options);
void TfLiteXNNPackDelegateDelete(TfLiteDelegate* delegate);

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
  return TfLiteXNNPackDelegateCreate(options);
}

void tflite_plugin_destroy_delegate(TfLiteDelegate* delegate) {
  TfLiteXNNPackDelegateDelete(delegate);
}
