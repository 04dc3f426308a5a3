import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { tfliteToOnnx } from '../../core/tflite/to-onnx.js';
import type { BackendConfigInput, ModelBackend, ModelSource } from '../backends/index.js';
import { ModelError } from '../../core/errors.js';
import { convertColor } from '../preprocess/color.js';
import { frameToMat } from '../preprocess/frame-mat.js';
import { writeImageTensor } from '../preprocess/image-tensor.js';
import { type Letterbox, letterbox } from '../preprocess/letterbox.js';
import { releaseMats } from '../preprocess/release-mats.js';
import type { Face, FaceDetector, Frame, Point } from '../types.js';
import { decodeBlazeFace } from './blazeface-decode.js';
import { loadDetectorModel, type ModelOpener } from './model-detector.js';
import { weightedNms } from './nms.js';
import { type Anchor, generateSsdAnchors } from './ssd-anchors.js';
import { toFaces } from './to-faces.js';
import type { BlazeFaceConfig } from './plugins/blazeface.js';


/** The graph options of face_detection_{short,full}_range in MediaPipe (SsdAnchorsCalculator). */
const RANGES = {
  short: {
    file: 'face_detection_short_range.tflite',
    inputSize: 128,
    anchors: { minScale: 0.1484375, maxScale: 0.75, strides: [8, 16, 16, 16], interpolatedScaleAspectRatio: 1 },
  },
  full: {
    file: 'face_detection_full_range.tflite',
    inputSize: 192,
    anchors: { minScale: 0.1484375, maxScale: 0.75, strides: [4], interpolatedScaleAspectRatio: 0 },
  },
} as const;

/** BlazeFace keypoints: right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion. */
function fivePoints(k: Point[]): Point[] {
  const [rightEye, leftEye, nose, mouth] = k as [Point, Point, Point, Point];
  // BlazeFace has one mouth point: it stands for both mouth corners.
  return [rightEye, leftEye, nose, mouth, mouth];
}

/**
 * The frame as BlazeFace takes it: letterboxed to size x size, RGB, NHWC, in [-1, 1]; `fit` maps the model's
 * coordinates back to the frame.
 */
export function blazeFaceInput(frame: Frame, size: number): { pixels: Float32Array; fit: Omit<Letterbox, 'image'> } {
  const image = frameToMat(frame);
  const fit = letterbox(image, size, size);
  const rgb = convertColor(fit.image, 'rgb');
  const pixels = new Float32Array(size * size * 3);
  writeImageTensor(rgb, { layout: 'NHWC', mean: [0.5], std: [0.5] }, pixels);
  releaseMats(frame, image, fit.image, rgb);
  return { pixels, fit: { scale: fit.scale, padX: fit.padX, padY: fit.padY } };
}

export class BlazeFaceDetector implements FaceDetector {
  readonly name: string;

  private constructor(
    private readonly model: ModelBackend,
    private readonly config: BlazeFaceConfig,
    private readonly inputSize: number,
    private readonly anchors: Anchor[],
  ) {
    this.name = `blazeface-${config.range}`;
  }

  static async create(config: BlazeFaceConfig, open?: ModelOpener): Promise<BlazeFaceDetector> {
    const range = RANGES[config.range];
    const path = config.model ?? resolvePackagedModel(range.file);
    const backend = config.backend ?? { type: 'onnxruntime' };
    const model = await loadDetectorModel('BlazeFace', await modelSource(path, backend), backend, { inputs: [], outputs: [] }, open);
    const anchors = generateSsdAnchors({
      inputWidth: range.inputSize,
      inputHeight: range.inputSize,
      ...range.anchors,
      strides: [...range.anchors.strides],
      aspectRatios: [1],
      fixedAnchorSize: true,
      anchorOffsetX: 0.5,
      anchorOffsetY: 0.5,
    });
    const outputs = model.outputs.map((o) => o.dims[1]);
    if (model.inputs[0]?.dims[1] !== range.inputSize || outputs.some((n) => n !== anchors.length)) {
      await model.close();
      throw new ModelError(`BlazeFace model ${path} does not match range "${config.range}" (${range.inputSize}px input, ${anchors.length} anchors)`);
    }
    return new BlazeFaceDetector(model, config, range.inputSize, anchors);
  }

  async detect(frame: Frame): Promise<Face[]> {
    const size = this.inputSize;
    const { pixels, fit } = blazeFaceInput(frame, size);
    const { regressors, logits } = await this.run(pixels);
    const candidates = decodeBlazeFace(regressors, logits, this.anchors, { inputSize: size, minScore: this.config.scoreThreshold, scoreClip: 100 });
    const merged = weightedNms(candidates, this.config.nmsThreshold);
    return toFaces(merged, fit, frame, this.config.minFaceSize, fivePoints);
  }

  /** Runs the model; its two outputs are told apart by their last dimension (16 regressors, 1 logit). */
  private async run(pixels: Float32Array): Promise<{ regressors: Float32Array; logits: Float32Array }> {
    const input = this.model.info.inputNames[0] as string;
    const outputs = Object.values(await this.model.run({ [input]: { data: pixels, dims: [1, this.inputSize, this.inputSize, 3] } }));
    const regressors = outputs.find((t) => t.dims.at(-1) === 16)?.data;
    const logits = outputs.find((t) => t.dims.at(-1) === 1)?.data;
    if (!(regressors instanceof Float32Array) || !(logits instanceof Float32Array)) {
      throw new ModelError(`${this.name}: model outputs are not [N,16] regressors and [N,1] scores`);
    }
    return { regressors, logits };
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}

/** The .tflite itself for the tflite back end; for the others, converted to ONNX (an .onnx file is passed on as it is). */
async function modelSource(path: string, backend: BackendConfigInput): Promise<ModelSource> {
  if (backend.type === 'tflite' || extname(path).toLowerCase() !== '.tflite') return path;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ModelError(`cannot read model ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { onnx: tfliteToOnnx(bytes, `BlazeFace model ${path}`), path };
}

function resolvePackagedModel(file: string): string {
  try {
    return createRequire(import.meta.url).resolve(`@mediapipe/face_detection/${file}`);
  } catch {
    throw new ModelError(`BlazeFace model ${file} not found: install @mediapipe/face_detection or set detector.model`);
  }
}
