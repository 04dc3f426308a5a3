import { readFile, writeFile } from 'node:fs/promises';
import { tfliteToOnnx } from '../../core/tflite/to-onnx.js';
import { ModelError } from '../../core/errors.js';
import type { ConvertFlags } from './convert.js';

/** `fer-edge convert`: TFLite -> ONNX with our own converter (src/core/tflite/to-onnx.ts). */
export async function convertCommand(modelPath: string, flags: ConvertFlags): Promise<void> {
  const output = flags.output ?? modelPath.replace(/(\.tflite)?$/i, '.onnx');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    throw new ModelError(`cannot read ${modelPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const started = performance.now();
  const onnx = tfliteToOnnx(bytes, modelPath);
  const ms = performance.now() - started;
  try {
    await writeFile(output, onnx);
  } catch (error) {
    throw new ModelError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  process.stdout.write(`${output}: ONNX opset 17, ${onnx.length} bytes (converted in ${ms.toFixed(0)} ms)\n`);
}
