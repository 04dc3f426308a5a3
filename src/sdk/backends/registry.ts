import { onnxRuntimePlugin } from './plugins/onnxruntime.js';
import { tflitePlugin } from './plugins/tflite.js';

/** Every back end a model can run on. A new one is a file in plugins/ and a line here (README, "Extending fer-edge"). */
export const BACKEND_PLUGINS = [onnxRuntimePlugin, tflitePlugin] as const;
