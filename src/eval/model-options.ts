import { basename, extname, resolve } from 'node:path';
import { createBackend, type BackendConfigInput, type ModelBackend, type TensorSpec } from '../sdk/backends/index.js';
import { createEmotionClassifier, type ManifestEmotionClassifier } from '../sdk/classifier.js';
import { ConfigError, ModelError } from '../core/errors.js';
import { loadModel, sha256File, type LoadedModel } from '../sdk/model/load-model.js';
import { parseManifest, readManifest } from '../sdk/model/manifest.js';
import type { ModelInputSpec, ModelManifest } from '../sdk/model/manifest-types.js';
import { qdqFlavorOf } from '../sdk/model/qdq-flavor.js';
import { EMOTION_LABELS } from '../sdk/types.js';

/**
 * How `eval` and `bench` are told about a model: its manifest beside it (fer-edge's own models), a manifest the user
 * wrote (`--manifest`), or, for a model published without one such as mini-Xception, its input normalization on the
 * command line (`--mean 0.5 --std 0.5 --output probabilities`); the tensor shapes are then read from the model itself.
 */
export interface ModelSpecOptions {
  model: string;
  manifest?: string;
  mean?: number[];
  std?: number[];
  color?: ModelInputSpec['color'];
  /** Output tensor name; default: the model's only output. */
  output?: string;
  outputKind?: ModelManifest['output']['kind'];
  /** Side of a square input when the model's spatial dimensions are dynamic. */
  inputSize?: number;
  cropExpand?: number;
}

export interface LoadedClassifier {
  model: LoadedModel;
  classifier: ManifestEmotionClassifier;
}

/** What a report says about the model it measured. */
export interface ModelDescription {
  path: string;
  name: string;
  format: string;
  /** int8 ONNX: `int8 (cpu QDQ)` or `int8 (tensorrt QDQ)`, the graph `fer-edge quantize --qdq-flavor` wrote. */
  precision: string;
  runtime: string;
  accelerator: string;
}

export function describeModel({ model, classifier }: LoadedClassifier): ModelDescription {
  const { manifest } = model;
  return {
    path: model.path,
    name: manifest.name,
    format: manifest.format,
    precision: qdqFlavorOf(manifest) ? `${manifest.precision} (${qdqFlavorOf(manifest)} QDQ)` : manifest.precision,
    runtime: classifier.backend.info.runtime,
    accelerator: classifier.backend.info.accelerator,
  };
}

const describesInputOnCommandLine = (o: ModelSpecOptions): boolean =>
  o.mean !== undefined || o.std !== undefined || o.output !== undefined || o.outputKind !== undefined || o.inputSize !== undefined;

/** Loads the model and its back end and checks them against each other, whichever way the manifest was given. */
export async function loadClassifierFromOptions(options: ModelSpecOptions, backendConfig?: BackendConfigInput): Promise<LoadedClassifier> {
  if (options.manifest && describesInputOnCommandLine(options)) {
    throw new ConfigError('give either --manifest or the input flags (--mean, --std, --output, ...), not both');
  }
  const path = resolve(options.model);
  const fromFlags = describesInputOnCommandLine(options);
  const model = fromFlags ? undefined : options.manifest ? await loadWithManifest(path, resolve(options.manifest)) : await loadModel(path);
  const backend = await createBackend(path, backendConfig ?? { type: 'auto' });
  try {
    const loaded = model ?? (await manifestFromFlags(path, backend, options));
    return { model: loaded, classifier: createEmotionClassifier({ model: loaded, backend }) };
  } catch (error) {
    await backend.close();
    throw error;
  }
}

async function loadWithManifest(path: string, manifestPath: string): Promise<LoadedModel> {
  const manifest = await readManifest(manifestPath, path);
  const actual = await sha256File(path).catch(() => {
    throw new ModelError(`model ${path} not found`);
  });
  if (actual !== manifest.sha256.toLowerCase()) {
    throw new ModelError(`model ${path} does not match manifest ${manifestPath} (sha256 ${actual}, manifest says ${manifest.sha256})`);
  }
  return { path, manifestPath, manifest };
}

function inferLayout(spec: TensorSpec, path: string): Pick<ModelInputSpec, 'layout' | 'channels'> & { height: number | null; width: number | null } {
  const [, d1, d2, d3] = spec.dims;
  if (spec.dims.length !== 4) throw new ModelError(`model ${path}: input "${spec.name}" has ${spec.dims.length} dimensions, expected 4 (an image batch)`);
  if (d1 === 1 || d1 === 3) return { layout: 'NCHW', channels: d1, height: d2 ?? null, width: d3 ?? null };
  if (d3 === 1 || d3 === 3) return { layout: 'NHWC', channels: d3, height: d1 ?? null, width: d2 ?? null };
  throw new ModelError(`model ${path}: cannot tell the channel axis of input "${spec.name}" [${spec.dims.join(',')}]; write a manifest (--manifest)`);
}

function perChannel(values: number[] | undefined, fallback: number, channels: number, flag: string): number[] {
  const given = values ?? [fallback];
  if (given.length === channels) return given;
  if (given.length === 1) return new Array<number>(channels).fill(given[0]!);
  throw new ConfigError(`${flag} needs 1 or ${channels} values, got ${given.length}`);
}

/** A manifest for a model published without one: shapes from the runtime, normalization from the flags. */
async function manifestFromFlags(path: string, backend: ModelBackend, options: ModelSpecOptions): Promise<LoadedModel> {
  const inputTensor = backend.inputs[0];
  if (!inputTensor || backend.inputs.length !== 1) throw new ModelError(`model ${path} has ${backend.inputs.length} inputs, expected 1`);
  if (inputTensor.dtype !== 'float32') {
    throw new ModelError(`model ${path}: input "${inputTensor.name}" is ${inputTensor.dtype}; quantized inputs need a manifest (--manifest)`);
  }
  const outputName = options.output ?? (backend.outputs.length === 1 ? backend.outputs[0]!.name : undefined);
  if (!outputName) throw new ConfigError(`model ${path} has outputs ${backend.outputs.map((o) => o.name).join(', ')}: choose one with --output`);
  const shape = inferLayout(inputTensor, path);
  const height = shape.height ?? options.inputSize;
  const width = shape.width ?? options.inputSize;
  if (!height || !width) throw new ConfigError(`model ${path} has a dynamic input size: give --input-size`);
  const manifest = {
    schema: 'fer-edge/model@1',
    name: basename(path, extname(path)),
    format: extname(path).toLowerCase() === '.tflite' ? 'tflite' : 'onnx',
    precision: 'fp32',
    sha256: await sha256File(path),
    labels: [...EMOTION_LABELS],
    input: {
      name: inputTensor.name,
      layout: shape.layout,
      height,
      width,
      channels: shape.channels,
      color: options.color ?? (shape.channels === 1 ? 'gray' : 'rgb'),
      mean: perChannel(options.mean, 0, shape.channels, '--mean'),
      std: perChannel(options.std, 1, shape.channels, '--std'),
      dtype: 'float32',
    },
    output: { name: outputName, kind: options.outputKind ?? 'probabilities' },
    temperature: 1,
    crop: { expand: options.cropExpand ?? 1 },
  };
  const manifestPath = `(command-line input spec for ${basename(path)})`;
  return { path, manifestPath, manifest: parseManifest(JSON.stringify(manifest), manifestPath) };
}
