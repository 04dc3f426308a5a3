import { readFile } from 'node:fs/promises';
import tfliteNode from 'tfjs-tflite-node';
import { ModelError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import type { BackendInfo, TensorData } from '../types.js';
import { runInChunks } from './batching.js';
import type { TfliteConfig } from './plugins/tflite.js';
import { EDGETPU_LIBRARY, edgeTpuSearchDirectories, findEdgeTpuLibrary } from './edgetpu-library.js';
import type { ModelBackend, TensorDataType, TensorSpec } from './model-backend.js';
import { dequantize, quantize, type QuantizationParams } from '../../core/quantization.js';
import { isTfliteFile, readTfliteIo, type TfliteTensorInfo } from '../../core/tflite/tensors.js';
import { xnnpackDelegateOptions, xnnpackPluginPath } from './xnnpack-plugin.js';

const log = childLogger('backend.tflite');
let reportedMissingPlugin = false;


type RuntimeTensor = { name: string; dataType: string; shape: string; data(): ArrayBufferView & ArrayLike<number> & { set(values: ArrayLike<number>): void } };
type Interpreter = { getInputs(): RuntimeTensor[]; getOutputs(): RuntimeTensor[]; infer(): boolean };
type InterpreterOptions = { threads: number; delegate?: { path: string; options: [string, string][] } };
const Interpreter = tfliteNode.TFLiteNodeModelRunner as unknown as new (model: ArrayBuffer, options: InterpreterOptions) => Interpreter;

function tensorType(dataType: string): TensorDataType {
  return dataType === 'float32' || dataType === 'int8' || dataType === 'uint8' || dataType === 'int32' ? dataType : 'other';
}

function runtimeDims(tensor: RuntimeTensor): number[] {
  return tensor.shape.split(',').map(Number);
}

function spec(tensor: RuntimeTensor, fromFile: TfliteTensorInfo | undefined): TensorSpec {
  const dims = fromFile?.shape.length ? fromFile.shape : runtimeDims(tensor);
  const dtype = tensorType(tensor.dataType);
  const quantized = (dtype === 'int8' || dtype === 'uint8') && fromFile?.quantization;
  return { name: tensor.name, dtype, dims: dims.map((dim) => (dim > 0 ? dim : null)), ...(quantized ? { quantization: fromFile.quantization } : {}) };
}

function edgeTpuDelegate(config: TfliteConfig): InterpreterOptions['delegate'] {
  const library = findEdgeTpuLibrary();
  if (!library) {
    throw new ModelError(
      `Edge TPU requested but ${EDGETPU_LIBRARY} not found (searched ${edgeTpuSearchDirectories().join(', ')} and the ldconfig cache): ` +
        'install the Edge TPU runtime (libedgetpu1-std) or use delegate "cpu"',
    );
  }
  return { path: library, options: config.edgetpuDevice ? [['device', config.edgetpuDevice]] : [] };
}

export async function createTfliteBackend(modelPath: string, config: TfliteConfig): Promise<ModelBackend> {
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    throw new ModelError(`cannot read model ${modelPath}: ${(error as Error).message}`);
  }
  if (!isTfliteFile(bytes)) throw new ModelError(`model ${modelPath} is not a TFLite flatbuffer (no TFL3 identifier): corrupt or wrong format`);

  const options: InterpreterOptions = { threads: config.threads };
  if (config.delegate === 'edgetpu') options.delegate = edgeTpuDelegate(config);
  const xnnpack = config.delegate === 'xnnpack' ? xnnpackPluginPath() : undefined;
  if (xnnpack) options.delegate = { path: xnnpack, options: xnnpackDelegateOptions(config.threads) };
  else if (config.delegate === 'xnnpack' && !reportedMissingPlugin) {
    reportedMissingPlugin = true;
    log.info('XNNPACK plugin not built (bash scripts/build-xnnpack-plugin.sh needs a C compiler): TFLite runs on its built-in CPU kernels');
  }

  let interpreter: Interpreter;
  let io: ReturnType<typeof readTfliteIo>;
  try {
    interpreter = new Interpreter(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, options);
    io = readTfliteIo(bytes);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.trim();
    throw new ModelError(`cannot load TFLite model ${modelPath}: ${message}`);
  }
  const runtimeInputs = interpreter.getInputs();
  const runtimeOutputs = interpreter.getOutputs();
  const accelerator = config.delegate === 'edgetpu' ? 'edgetpu' : xnnpack ? 'xnnpack' : 'cpu';
  log.debug({ model: modelPath, accelerator, threads: config.threads }, 'TFLite model loaded');

  const quantizationOf = (tensor: RuntimeTensor, index: number, fromFile: TfliteTensorInfo[]): QuantizationParams | undefined => {
    const info = fromFile.find((candidate) => candidate.name === tensor.name) ?? fromFile[index];
    return info?.quantization;
  };
  const fixedBatch = runtimeInputs[0] ? runtimeDims(runtimeInputs[0])[0] : undefined;
  const info: BackendInfo = {
    runtime: 'tflite',
    accelerator,
    inputNames: runtimeInputs.map((tensor) => tensor.name),
    outputNames: runtimeOutputs.map((tensor) => tensor.name),
  };

  function runOnce(feeds: Record<string, TensorData>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    runtimeInputs.forEach((tensor, index) => {
      const feed = feeds[tensor.name];
      if (!feed) throw new ModelError(`TFLite model ${modelPath} needs input "${tensor.name}"`);
      const target = tensor.data();
      if (feed.data.length !== target.length) {
        throw new ModelError(`TFLite model ${modelPath}: input "${tensor.name}" takes [${tensor.shape}], got [${feed.dims.join(',')}]`);
      }
      if ((tensor.dataType === 'int8' || tensor.dataType === 'uint8') && feed.data instanceof Float32Array) {
        const params = quantizationOf(tensor, index, io.inputs);
        if (!params) throw new ModelError(`TFLite model ${modelPath}: ${tensor.dataType} input "${tensor.name}" has no quantization parameters`);
        quantize(feed.data, params, target as unknown as Int8Array | Uint8Array);
      } else {
        target.set(feed.data);
      }
    });
    if (!interpreter.infer()) throw new ModelError(`TFLite inference failed for ${modelPath}`);
    const out: Record<string, { data: Float32Array; dims: number[] }> = {};
    runtimeOutputs.forEach((tensor, index) => {
      const data = tensor.data();
      const params = quantizationOf(tensor, index, io.outputs);
      const isQuantized = tensor.dataType === 'int8' || tensor.dataType === 'uint8';
      out[tensor.name] = {
        data: isQuantized && params ? dequantize(data as unknown as Int8Array | Uint8Array, params) : Float32Array.from(data),
        dims: runtimeDims(tensor),
      };
    });
    return Promise.resolve(out);
  }

  return {
    info,
    inputs: runtimeInputs.map((tensor) => spec(tensor, io.inputs.find((candidate) => candidate.name === tensor.name))),
    outputs: runtimeOutputs.map((tensor) => spec(tensor, io.outputs.find((candidate) => candidate.name === tensor.name))),
    run: (feeds) => runInChunks(feeds, fixedBatch, runOnce),
    close: () => Promise.resolve(),
  };
}
