import cv, { type Mat } from '../sdk/opencv.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { readDataset, type LabelledSample } from '../eval/dataset.js';
import { ConfigError, FerEdgeError } from '../core/errors.js';
import type { ModelInputSpec } from '../sdk/model/manifest-types.js';
import { writeImageTensor } from '../sdk/preprocess/image-tensor.js';
import { EMOTION_LABELS } from '../sdk/types.js';

/** Preprocessed images as one NCHW float32 block, with their labels (-1 when the source has none). */
export interface ImageSet {
  data: Float32Array;
  /** [channels, height, width] of one item. */
  itemDims: [number, number, number];
  labels: number[];
  ids: string[];
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.pgm', '.webp']);

/** A folder of images with no class sub-folders: fine for calibration, which needs no labels. */
function flatFolder(path: string): LabelledSample[] | undefined {
  if (!statSync(path).isDirectory()) return undefined;
  const entries = readdirSync(path, { withFileTypes: true });
  if (entries.some((e) => e.isDirectory())) return undefined;
  return entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ id: name, label: -1, image: { kind: 'file', path: join(path, name) } as const }));
}

/** Takes classes in turn so that a small count still covers every class. */
function interleaveClasses(samples: LabelledSample[], count: number): LabelledSample[] {
  const byClass = EMOTION_LABELS.map((_, k) => samples.filter((s) => s.label === k));
  const picked: LabelledSample[] = [];
  for (let round = 0; picked.length < count && byClass.some((list) => list.length > round); round++) {
    for (const list of byClass) if (list[round] && picked.length < count) picked.push(list[round]!);
  }
  return picked;
}

/**
 * The labelled samples of a Kaggle-layout folder or a fer2013.csv (`usage` picks the CSV split), or of a flat image
 * folder; `count` keeps that many, balanced over the classes. `flag` names the option in error messages.
 */
export async function readSamples(path: string, flag: string, options: { count?: number; usage?: string } = {}): Promise<LabelledSample[]> {
  if (!existsSync(path)) throw new ConfigError(`${flag} ${path} does not exist`);
  const flat = flatFolder(path);
  let samples: LabelledSample[];
  if (flat) {
    samples = options.count === undefined ? flat : flat.slice(0, options.count);
  } else {
    try {
      const perClass = options.count === undefined ? undefined : Math.ceil(options.count / EMOTION_LABELS.length) * 2;
      const all = await readDataset(path, { ...(options.usage ? { usage: options.usage } : {}), ...(perClass ? { perClass } : {}) });
      samples = options.count === undefined ? all : interleaveClasses(all, options.count);
    } catch (error) {
      if (error instanceof FerEdgeError) throw new ConfigError(error.message.replace(/^--data\b/, flag));
      throw error;
    }
  }
  if (samples.length === 0) throw new ConfigError(`${flag} ${path} holds no images`);
  return samples;
}

function readImage(sample: LabelledSample, color: ModelInputSpec['color']): Mat {
  if (sample.image.kind === 'gray') {
    const gray = new cv.Mat(Buffer.from(sample.image.pixels), sample.image.height, sample.image.width, cv.CV_8UC1);
    return color === 'gray' ? gray : gray.cvtColor(color === 'rgb' ? cv.COLOR_GRAY2RGB : cv.COLOR_GRAY2BGR);
  }
  let mat: Mat;
  try {
    mat = cv.imread(sample.image.path, color === 'gray' ? cv.IMREAD_GRAYSCALE : cv.IMREAD_COLOR);
  } catch {
    throw new ConfigError(`cannot decode image ${sample.image.path}`);
  }
  if (mat.empty) throw new ConfigError(`cannot decode image ${sample.image.path}`);
  return color === 'rgb' ? mat.cvtColor(cv.COLOR_BGR2RGB) : mat;
}

/** Decodes, resizes (bilinear, as training does) and normalizes samples exactly as the model's manifest says, NCHW. */
export function preprocessSamples(samples: readonly LabelledSample[], input: ModelInputSpec): ImageSet {
  const itemDims: [number, number, number] = [input.channels, input.height, input.width];
  const itemLength = input.channels * input.height * input.width;
  const data = new Float32Array(samples.length * itemLength);
  samples.forEach((sample, i) => {
    let mat = readImage(sample, input.color);
    if (mat.rows !== input.height || mat.cols !== input.width) mat = mat.resize(input.height, input.width, 0, 0, cv.INTER_LINEAR);
    writeImageTensor(mat, { layout: 'NCHW', mean: input.mean, std: input.std }, data, i * itemLength);
  });
  return { data, itemDims, labels: samples.map((s) => s.label), ids: samples.map((s) => s.id) };
}
