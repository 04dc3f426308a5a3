import { existsSync } from 'node:fs';
import cv, { type CascadeClassifier } from '../opencv.js';
import { ModelError } from '../../core/errors.js';
import { convertColor } from '../preprocess/color.js';
import { frameToMat } from '../preprocess/frame-mat.js';
import { releaseMats } from '../preprocess/release-mats.js';
import type { Face, FaceDetector, Frame } from '../types.js';
import type { HaarConfig } from './plugins/haar.js';


export class HaarDetector implements FaceDetector {
  readonly name = 'haar';

  private constructor(
    private readonly classifier: CascadeClassifier,
    private readonly config: HaarConfig,
  ) {}

  static async create(config: HaarConfig): Promise<HaarDetector> {
    if (!existsSync(config.cascade)) throw new ModelError(`Haar cascade ${config.cascade}: not found (Debian: apt-get install opencv-data)`);
    let classifier: CascadeClassifier;
    try {
      classifier = new cv.CascadeClassifier(config.cascade);
    } catch (error) {
      throw new ModelError(`Haar cascade ${config.cascade} could not be loaded: ${(error as Error).message}`);
    }
    return new HaarDetector(classifier, config);
  }

  async detect(frame: Frame): Promise<Face[]> {
    const image = frameToMat(frame);
    const gray = convertColor(image, 'gray');
    const equalized = gray.equalizeHist();
    const side = Math.max(1, Math.round(this.config.minFaceSize));
    const { objects } = await this.classifier.detectMultiScaleAsync(equalized, {
      scaleFactor: this.config.scaleFactor,
      minNeighbors: this.config.minNeighbors,
      minSize: new cv.Size(side, side),
    });
    releaseMats(frame, image, gray, equalized);
    return objects.map((r) => ({ box: { x: r.x, y: r.y, width: r.width, height: r.height }, score: 1 }));
  }
}
