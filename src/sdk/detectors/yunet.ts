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
import type { YunetConfig } from './plugins/yunet.js';


const INPUT_SIZE = 640;
const STRIDES = [8, 16, 32] as const;
const OUTPUTS = STRIDES.flatMap((s) => [`cls_${s}`, `obj_${s}`, `bbox_${s}`, `kps_${s}`]);

export class YunetDetector implements FaceDetector {
  readonly name = 'yunet';

  private constructor(
    private readonly model: ModelBackend,
    private readonly config: YunetConfig,
  ) {}

  static async create(config: YunetConfig, open?: ModelOpener): Promise<YunetDetector> {
    const model = await loadDetectorModel('YuNet', config.model, config.backend, { inputs: ['input'], outputs: OUTPUTS }, open);
    return new YunetDetector(model, config);
  }

  async detect(frame: Frame): Promise<Face[]> {
    const image = frameToMat(frame);
    const fit = letterbox(image, INPUT_SIZE, INPUT_SIZE);
    const bgr = convertColor(fit.image, 'bgr');
    const pixels = new Float32Array(3 * INPUT_SIZE * INPUT_SIZE);
    // The model takes raw 0..255 values: mean 0, std 1/255.
    writeImageTensor(bgr, { layout: 'NCHW', mean: [0], std: [1 / 255] }, pixels);
    releaseMats(frame, image, fit.image, bgr);
    const outputs = await this.model.run({ input: { data: pixels, dims: [1, 3, INPUT_SIZE, INPUT_SIZE] } });
    const candidates = STRIDES.flatMap((stride) => this.decode(outputs, stride));
    return toFaces(hardNms(candidates, this.config.nmsThreshold), fit, frame, this.config.minFaceSize, (k) => k);
  }

  /**
   * One stride's grid, as OpenCV's FaceDetectorYN decodes it: score = sqrt(cls * obj); box centre offsets and
   * log sizes in stride units; 5 keypoints (right eye, left eye, nose, right and left mouth corners) as offsets.
   */
  private decode(outputs: Record<string, TensorData>, stride: number): Candidate[] {
    const data = (name: string) => (outputs[`${name}_${stride}`] as TensorData).data;
    const cls = data('cls');
    const obj = data('obj');
    const bbox = data('bbox');
    const kps = data('kps');
    const cols = INPUT_SIZE / stride;
    const candidates: Candidate[] = [];
    for (let i = 0; i < cls.length; i++) {
      const score = Math.sqrt(clamp01(cls[i] as number) * clamp01(obj[i] as number));
      if (score < this.config.scoreThreshold) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const cx = (col + (bbox[i * 4] as number)) * stride;
      const cy = (row + (bbox[i * 4 + 1] as number)) * stride;
      const w = Math.exp(bbox[i * 4 + 2] as number) * stride;
      const h = Math.exp(bbox[i * 4 + 3] as number) * stride;
      const keypoints = [];
      for (let k = 0; k < 5; k++) {
        keypoints.push({ x: ((kps[i * 10 + 2 * k] as number) + col) * stride, y: ((kps[i * 10 + 2 * k + 1] as number) + row) * stride });
      }
      candidates.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, keypoints });
    }
    return candidates;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
