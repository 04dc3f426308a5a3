import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import cv from '../../src/sdk/opencv.js';
import { writeImageTensor } from '../../src/sdk/preprocess/image-tensor.js';
import type { ModelInputSpec } from '../../src/sdk/model/manifest-types.js';
import { EMOTION_LABELS, type TensorData } from '../../src/sdk/types.js';
import { sharedPath } from './shared.js';

export const FER_VAL = 'data/fer2013/val';

/** The first `perClass` files (sorted) of every FER2013 val class, with their label index. */
export function ferValFaces(perClass: number): { path: string; label: number }[] {
  return EMOTION_LABELS.flatMap((label, index) => {
    const dir = sharedPath(FER_VAL, label);
    return readdirSync(dir)
      .filter((name) => name.endsWith('.jpg'))
      .sort()
      .slice(0, perClass)
      .map((name) => ({ path: join(dir, name), label: index }));
  });
}

/** Reads gray FER faces with OpenCV and writes them as one batch shaped and normalised per the model's input. */
export function faceBatch(paths: string[], input: ModelInputSpec): TensorData {
  const itemSize = input.height * input.width * input.channels;
  const data = new Float32Array(paths.length * itemSize);
  paths.forEach((path, i) => {
    let image = cv.imread(path, cv.IMREAD_GRAYSCALE).resize(input.height, input.width, 0, 0, cv.INTER_LINEAR);
    if (input.channels === 3) image = image.cvtColor(cv.COLOR_GRAY2BGR);
    writeImageTensor(image, { layout: input.layout, mean: input.mean, std: input.std }, data, i * itemSize);
  });
  const dims = input.layout === 'NCHW' ? [paths.length, input.channels, input.height, input.width] : [paths.length, input.height, input.width, input.channels];
  return { data, dims };
}
