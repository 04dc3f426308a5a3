import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-paths.js';

/** TFLITE_XNNPACK_DELEGATE_FLAG_QS8 | _QU8: without them this TFLite version leaves int8 operators to its own kernels. */
const QUANTIZED_OPERATORS = 3;

/**
 * The plugin (native/xnnpack-plugin.c, built by scripts/build-xnnpack-plugin.sh) through which tfjs-tflite-node's
 * external-delegate option applies the XNNPACK delegate its TFLite library contains, or undefined when it was not
 * built (no C compiler at install time). It makes int8 and float models several times faster than TFLite's built-in
 * kernels (bench/RESULTS.md).
 */
export function xnnpackPluginPath(root: string = packageRoot()): string | undefined {
  const path = join(root, 'native', 'build', 'libfer-edge-xnnpack.so');
  return existsSync(path) ? path : undefined;
}

/** The external-delegate options for the plugin: XNNPACK's own thread pool only above one thread, int8 operators on. */
export function xnnpackDelegateOptions(threads: number): [string, string][] {
  return [
    ['num_threads', String(threads > 1 ? threads : 0)],
    ['flags', String(QUANTIZED_OPERATORS)],
  ];
}
