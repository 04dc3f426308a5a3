import type { ModelBackend, TensorSpec } from '../backends/model-backend.js';
import { ModelError } from '../../core/errors.js';
import { EMOTION_LABELS } from '../types.js';
import type { LoadedModel } from './load-model.js';

const formatDims = (dims: (number | null)[]): string => `[${dims.map((dim) => dim ?? 'N').join(',')}]`;

/** Dimensions must agree where both are known; a dynamic (null) runtime dimension accepts anything. */
function dimsAgree(actual: (number | null)[], expected: (number | null)[]): boolean {
  return actual.length === expected.length && actual.every((dim, i) => dim === null || expected[i] === null || dim === expected[i]);
}

function find(specs: TensorSpec[], name: string, what: string, model: LoadedModel): TensorSpec {
  const spec = specs.find((candidate) => candidate.name === name);
  if (!spec) {
    throw new ModelError(
      `model ${model.path}: its manifest names ${what} "${name}" but the model's ${what}s are ${specs.map((s) => `"${s.name}"`).join(', ')}`,
    );
  }
  return spec;
}

type Quantization = { scale: number; zeroPoint: number } | undefined;

function assertSameQuantization(model: LoadedModel, what: string, manifest: Quantization, actual: Quantization): void {
  if (!manifest || !actual) return;
  const sameScale = Math.abs(manifest.scale - actual.scale) <= 1e-6 * Math.max(Math.abs(actual.scale), 1e-12);
  if (!sameScale || manifest.zeroPoint !== actual.zeroPoint) {
    throw new ModelError(
      `model ${model.path}: ${what} is quantized with scale ${actual.scale}, zero point ${actual.zeroPoint} ` +
        `but its manifest says scale ${manifest.scale}, zero point ${manifest.zeroPoint}`,
    );
  }
}

/** Checks, after a back end has loaded the model, that its real input and output tensors match the manifest. */
export function assertBackendMatchesManifest(model: LoadedModel, backend: ModelBackend): void {
  const { input, output } = model.manifest;
  const inputSpec = find(backend.inputs, input.name, 'input', model);
  const expected = input.layout === 'NCHW' ? [null, input.channels, input.height, input.width] : [null, input.height, input.width, input.channels];
  if (!dimsAgree(inputSpec.dims, expected)) {
    throw new ModelError(
      `model ${model.path}: input "${input.name}" is ${formatDims(inputSpec.dims)} but its manifest says ${formatDims(expected)} ` +
        `(${input.layout}, ${input.height}x${input.width}x${input.channels})`,
    );
  }
  if (inputSpec.dtype !== input.dtype) {
    throw new ModelError(`model ${model.path}: input "${input.name}" is ${inputSpec.dtype} but its manifest says ${input.dtype}`);
  }
  assertSameQuantization(model, `input "${input.name}"`, input.quantization, inputSpec.quantization);
  const outputSpec = find(backend.outputs, output.name, 'output', model);
  assertSameQuantization(model, `output "${output.name}"`, output.quantization, outputSpec.quantization);
  if (!dimsAgree(outputSpec.dims, [null, EMOTION_LABELS.length])) {
    throw new ModelError(
      `model ${model.path}: output "${output.name}" is ${formatDims(outputSpec.dims)}, expected [N,${EMOTION_LABELS.length}] (one score per label)`,
    );
  }
}
