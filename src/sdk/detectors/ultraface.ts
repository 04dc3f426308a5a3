import type { ModelBackend } from '../backends/index.js';
import { convertColor } from '../preprocess/color.js';
import { frameToMat } from '../preprocess/frame-mat.js';
import { writeImageTensor } from '../preprocess/image-tensor.js';
import { letterbox } from '../preprocess/letterbox.js';
import { releaseMats } from '../preprocess/release-mats.js';
import type { Face, FaceDetector, Frame, TensorData } from '../types.js';
import type { Candidate } from './candidate.js';
import { loadDetectorModel, type ModelOpener } from './model-detector.js';
import { hardNms } from './nms.js';
import { toFaces } from './to-faces.js';
import type { UltraFaceConfig } from './plugins/ultraface.js';


const INPUT_WIDTH = 320;
const INPUT_HEIGHT = 240;

export class UltraFaceDetector implements FaceDetector {
  readonly name = 'ultraface';

  private constructor(
    private readonly model: ModelBackend,
    private readonly config: UltraFaceConfig,
  ) {}

  static async create(config: UltraFaceConfig, open?: ModelOpener): Promise<UltraFaceDetector> {
    const model = await loadDetectorModel('UltraFace', config.model, config.backend, { inputs: ['input'], outputs: ['scores', 'boxes'] }, open);
    return new UltraFaceDetector(model, config);
  }

  async detect(frame: Frame): Promise<Face[]> {
    const image = frameToMat(frame);
    const fit = letterbox(image, INPUT_WIDTH, INPUT_HEIGHT);
    const rgb = convertColor(fit.image, 'rgb');
    const pixels = new Float32Array(3 * INPUT_WIDTH * INPUT_HEIGHT);
    // (p - 127) / 128 written as (p/255 - mean) / std.
    writeImageTensor(rgb, { layout: 'NCHW', mean: [127 / 255], std: [128 / 255] }, pixels);
    releaseMats(frame, image, fit.image, rgb);
    const outputs = await this.model.run({ input: { data: pixels, dims: [1, 3, INPUT_HEIGHT, INPUT_WIDTH] } });
    const scores = (outputs.scores as TensorData).data;
    const boxes = (outputs.boxes as TensorData).data;
    const candidates: Candidate[] = [];
    for (let i = 0; i < scores.length / 2; i++) {
      const score = scores[i * 2 + 1] as number; // softmax [background, face]
      if (score < this.config.scoreThreshold) continue;
      candidates.push({
        x1: (boxes[i * 4] as number) * INPUT_WIDTH,
        y1: (boxes[i * 4 + 1] as number) * INPUT_HEIGHT,
        x2: (boxes[i * 4 + 2] as number) * INPUT_WIDTH,
        y2: (boxes[i * 4 + 3] as number) * INPUT_HEIGHT,
        score,
        keypoints: [],
      });
    }
    return toFaces(hardNms(candidates, this.config.nmsThreshold), fit, frame, this.config.minFaceSize);
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
