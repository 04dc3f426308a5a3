import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { z } from 'zod';
import { ModelError } from '../../core/errors.js';
import { EMOTION_LABELS } from '../types.js';
import type { ModelManifest } from './manifest-types.js';

const quantizationSchema = z.object({ scale: z.number().positive(), zeroPoint: z.number().int() });

const inputSchema = z
  .object({
    name: z.string().min(1),
    layout: z.enum(['NCHW', 'NHWC']),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    channels: z.union([z.literal(1), z.literal(3)]),
    color: z.enum(['gray', 'rgb', 'bgr']),
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
    dtype: z.enum(['float32', 'int8', 'uint8']),
    quantization: quantizationSchema.optional(),
  })
  .superRefine((input, ctx) => {
    for (const key of ['mean', 'std'] as const) {
      if (input[key].length !== input.channels) {
        ctx.addIssue({ code: 'custom', path: [key], message: `needs ${input.channels} value(s), one per channel` });
      }
    }
    if ((input.color === 'gray') !== (input.channels === 1)) {
      ctx.addIssue({ code: 'custom', path: ['color'], message: `"${input.color}" does not fit ${input.channels} channel(s)` });
    }
  });

export const modelManifestSchema = z.object({
  schema: z.literal('fer-edge/model@1'),
  name: z.string().min(1),
  format: z.enum(['onnx', 'tflite']),
  precision: z.enum(['fp32', 'fp16', 'int8']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex digits'),
  labels: z.array(z.string()),
  input: inputSchema,
  output: z.object({
    name: z.string().min(1),
    kind: z.enum(['logits', 'probabilities']),
    quantization: quantizationSchema.optional(),
  }),
  temperature: z.number().positive(),
  crop: z.object({ expand: z.number().min(1) }).optional(),
  qdq: z.object({ flavor: z.enum(['tensorrt', 'cpu']), activations: z.string(), weights: z.string(), bias: z.string() }).optional(),
  source: z.object({ model: z.string(), sha256: z.string() }).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** `models/x.int8.tflite` -> `models/x.int8.json`: the model's path with its last extension replaced. */
export function manifestPathFor(modelPath: string): string {
  const ext = extname(modelPath);
  return join(dirname(modelPath), basename(modelPath, ext) + '.json');
}

/** Validates a manifest's JSON text; any problem is a ModelError naming the field and the file. */
export function parseManifest(text: string, manifestPath: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelError(`model manifest ${manifestPath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new ModelError(`model manifest ${manifestPath}: field "${field}": ${issue.message}`);
  }
  const manifest = parsed.data as ModelManifest;
  const labels = manifest.labels;
  if (labels.length !== EMOTION_LABELS.length || labels.some((label, i) => label !== EMOTION_LABELS[i])) {
    throw new ModelError(
      `model manifest ${manifestPath}: field "labels" must be the 7 FER2013 labels in order ` +
        `(${EMOTION_LABELS.join(', ')}), got (${labels.join(', ')})`,
    );
  }
  return manifest;
}

export async function readManifest(manifestPath: string, modelPath: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelError(`model ${modelPath} has no manifest: looked for ${manifestPath} (see docs/model-manifest.md)`);
    }
    throw new ModelError(`cannot read model manifest ${manifestPath}: ${(error as Error).message}`);
  }
  return parseManifest(text, manifestPath);
}
