import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import type { BackendInfo, TensorData } from '../types.js';
import { runInChunks } from './batching.js';
import type { ExecutionProvider, OnnxRuntimeConfig } from './plugins/onnxruntime.js';
import { type ModelBackend, type ModelSource, sourcePath, type TensorDataType, type TensorSpec } from './model-backend.js';

const log = childLogger('backend.onnxruntime');


/** Why a provider cannot run here, or undefined when it may (then the session creation has the last word). */
function providerUnavailableReason(provider: ExecutionProvider): string | undefined {
  if (provider === 'cpu') return undefined;
  const listed = ort.listSupportedBackends().some((backend) => backend.name === provider);
  if (!listed) return `this onnxruntime-node build does not support ${provider}`;
  // GPU providers live in a shared library beside the binding; without it ORT fails (and prints a native error).
  const library = `libonnxruntime_providers_${provider}.so`;
  const bindingDir = nativeBindingDirectory();
  if (bindingDir && existsSync(bindingDir) && !existsSync(join(bindingDir, library))) {
    return `${library} is not installed beside onnxruntime-node (${bindingDir}): CPU-only build`;
  }
  return undefined;
}

/** Where onnxruntime-node keeps its binding and libonnxruntime for a platform and CPU (default: this machine's). */
export function nativeBindingDirectory(os: string = platform(), cpu: string = arch()): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    return join(dirname(entry), '..', 'bin', 'napi-v6', os, cpu);
  } catch {
    return undefined;
  }
}

function exportTensorRtOptions(config: OnnxRuntimeConfig): void {
  const { engineCachePath, fp16, int8 } = config.tensorrt;
  if (engineCachePath) {
    process.env.ORT_TENSORRT_ENGINE_CACHE_ENABLE = '1';
    process.env.ORT_TENSORRT_CACHE_PATH = engineCachePath;
  }
  if (fp16) process.env.ORT_TENSORRT_FP16_ENABLE = '1';
  if (int8) process.env.ORT_TENSORRT_INT8_ENABLE = '1';
}

const reportedFallbacks = new Set<string>();

function executionProviderOption(provider: ExecutionProvider, config: OnnxRuntimeConfig): ort.InferenceSession.ExecutionProviderConfig {
  return provider === 'cpu' ? 'cpu' : { name: provider, deviceId: config.deviceId };
}

function tensorType(type: string): TensorDataType {
  return type === 'float32' || type === 'int8' || type === 'uint8' || type === 'int32' || type === 'int64' ? type : 'other';
}

function tensorSpecs(metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, dtype: tensorType(value.type), dims: value.shape.map((dim) => (typeof dim === 'number' && dim > 0 ? dim : null)) }
      : { name: value.name, dtype: 'other' as const, dims: [] },
  );
}

function toFloat32(data: ort.Tensor['data']): Float32Array {
  if (data instanceof Float32Array) return new Float32Array(data);
  if (Array.isArray(data)) throw new ModelError('the model returned a string tensor; expected numbers');
  return Float32Array.from(data as ArrayLike<number | bigint>, Number);
}

export interface ProviderFallback {
  provider: ExecutionProvider;
  reason: string;
}

export interface OnnxRuntimeBackend extends ModelBackend {
  /** The preferred providers that were skipped, and why. */
  readonly fallbacks: ProviderFallback[];
}

async function modelBytes(source: ModelSource): Promise<Uint8Array> {
  if (typeof source !== 'string') return source.onnx;
  try {
    return await readFile(source);
  } catch (error) {
    throw new ModelError(`cannot read model ${source}: ${(error as Error).message}`);
  }
}

export async function createOnnxRuntimeBackend(source: ModelSource, config: OnnxRuntimeConfig): Promise<OnnxRuntimeBackend> {
  const modelPath = sourcePath(source);
  const bytes = await modelBytes(source);
  if (config.executionProviders.includes('tensorrt')) exportTensorRtOptions(config);

  const fallbacks: ProviderFallback[] = [];
  const providers = config.executionProviders.includes('cpu') ? config.executionProviders : [...config.executionProviders, 'cpu' as const];
  let session: ort.InferenceSession | undefined;
  let accelerator: ExecutionProvider = 'cpu';
  for (let i = 0; i < providers.length && !session; i++) {
    const provider = providers[i]!;
    const unavailable = providerUnavailableReason(provider);
    if (!unavailable) {
      try {
        session = await ort.InferenceSession.create(bytes, {
          executionProviders: providers.slice(i).map((p) => executionProviderOption(p, config)),
          graphOptimizationLevel: config.graphOptimizationLevel,
          ...(config.intraOpThreads > 0 ? { intraOpNumThreads: config.intraOpThreads } : {}),
        });
        accelerator = provider;
        break;
      } catch (error) {
        if (provider === 'cpu') throw new ModelError(`cannot load ONNX model ${modelPath}: ${(error as Error).message}`);
        fallbacks.push({ provider, reason: (error as Error).message });
        continue;
      }
    }
    fallbacks.push({ provider, reason: unavailable });
  }
  if (!session) throw new ModelError(`cannot load ONNX model ${modelPath}: no execution provider could load it`);
  for (const { provider, reason } of fallbacks) {
    const key = `${provider}: ${reason}`;
    if (reportedFallbacks.has(key)) continue;
    reportedFallbacks.add(key);
    log.info({ provider, reason, using: accelerator }, `execution provider ${provider} unavailable (${reason}); falling back`);
  }
  const { engineCachePath, fp16, int8 } = config.tensorrt;
  if (accelerator === 'tensorrt' && (engineCachePath || fp16 || int8)) {
    log.warn(
      { engineCachePath, fp16, int8 },
      'TensorRT options were exported as ORT_TENSORRT_* environment variables (the Node binding passes only deviceId): check that the engine cache fills',
    );
  }
  log.debug({ model: modelPath, accelerator }, 'ONNX model loaded');

  const loaded = session;
  const inputs = tensorSpecs(loaded.inputMetadata);
  const outputs = tensorSpecs(loaded.outputMetadata);
  const fixedBatch = inputs[0]?.dims[0] ?? undefined;
  const info: BackendInfo = { runtime: 'onnxruntime', accelerator, inputNames: [...loaded.inputNames], outputNames: [...loaded.outputNames] };

  return {
    info,
    inputs,
    outputs,
    fallbacks,
    run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
      return runInChunks(feeds, fixedBatch, runOnce);
    },
    async close() {
      await loaded.release();
    },
  };

  async function runOnce(feeds: Record<string, TensorData>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const spec of inputs) {
      const tensor = feeds[spec.name];
      if (!tensor) throw new ModelError(`ONNX model ${modelPath} needs input "${spec.name}"`);
      if (spec.dtype !== 'float32') {
        throw new ModelError(`ONNX model ${modelPath}: input "${spec.name}" is ${spec.dtype}; fer-edge runs float-input ONNX models (QDQ for int8)`);
      }
      const data = tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data);
      ortFeeds[spec.name] = new ort.Tensor('float32', data, tensor.dims);
    }
    const results = await loaded.run(ortFeeds);
    const out: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { data: toFloat32(tensor.data), dims: tensor.dims.map(Number) };
      tensor.dispose();
    }
    return out;
  }
}
