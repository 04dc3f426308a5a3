/**
 * The peer most JavaScript users would pick: @vladmandic/human, run in Node without tfjs-node (whose install
 * downloads libtensorflow, impossible here) on the tfjs WebAssembly backend. Its emotion model is oarriaga's
 * mini-Xception (FER2013); its face detector is BlazeFace. Models and .wasm binaries are read from node_modules,
 * never downloaded: the models folder is served on 127.0.0.1 because tfjs's loader in Node only speaks HTTP(S).
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import cv, { type Mat } from '../src/sdk/opencv.js';

const require = createRequire(import.meta.url);

/** The parts of Human's API used here (its bundled typings pull in DOM types). */
interface HumanTensor {
  dispose(): void;
  data(): Promise<Float32Array>;
}
interface HumanTf {
  tensor(values: Int32Array | Float32Array, shape: number[], dtype: 'int32' | 'float32'): HumanTensor;
  tidy<T>(fn: () => T): T;
  image: { resizeBilinear(t: HumanTensor, size: [number, number], alignCorners: boolean): HumanTensor };
  mul(a: HumanTensor, b: HumanTensor | number | number[]): HumanTensor;
  sub(a: HumanTensor, b: HumanTensor | number): HumanTensor;
  sum(a: HumanTensor, axis: number, keepDims: boolean): HumanTensor;
  getBackend(): string;
}
interface HumanFace {
  emotion?: { score: number; emotion: string }[];
}
export interface HumanInstance {
  version: string;
  tf: HumanTf;
  config: { backend: string };
  models: { models: Record<string, { execute(input: HumanTensor): HumanTensor } | null> };
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: HumanTensor): Promise<{ face: HumanFace[]; performance: Record<string, number> }>;
}

export const HUMAN_EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

/** The folder of an installed package (walking up from its entry point: some packages do not export package.json). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || !dir.endsWith(name.split('/').pop()!)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = parent;
  }
  return dir;
}

/** A static file server for one folder on 127.0.0.1 (an ephemeral port). */
async function serveFolder(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root) || !existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Human with only what the comparison needs: face detection (BlazeFace, every frame) and emotion. */
export async function createHuman(): Promise<{ human: HumanInstance; close: () => Promise<void> }> {
  const humanDir = packageDir('@vladmandic/human');
  const models = await serveFolder(join(humanDir, 'models'));
  // human.node-wasm.js expects tfjs-core, tfjs-converter and tfjs-backend-wasm to be importable.
  const { Human } = require(join(humanDir, 'dist', 'human.node-wasm.js')) as { Human: new (config: object) => HumanInstance };
  const human = new Human({
    backend: 'wasm',
    wasmPath: join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/',
    modelBasePath: models.url,
    debug: false,
    async: false,
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 10, skipFrames: 0, skipTime: 0 },
      mesh: { enabled: false },
      iris: { enabled: false },
      attention: { enabled: false },
      description: { enabled: false },
      emotion: { enabled: true, skipFrames: 0, skipTime: 0, minConfidence: 0 },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.load();
  await human.warmup();
  return {
    human,
    close: () => new Promise<void>((resolve) => models.server.close(() => resolve())),
  };
}

/** A BGR Mat as the [1, h, w, 3] int32 RGB tensor Human takes from Node (what tfjs-node's decodeImage would give). */
export function matToHumanTensor(human: HumanInstance, bgr: Mat): HumanTensor {
  const rgb = bgr.cvtColor(cv.COLOR_BGR2RGB);
  return human.tf.tensor(Int32Array.from(rgb.getData()), [1, rgb.rows, rgb.cols, 3], 'int32');
}

/**
 * Human's emotion model on one face crop, with Human's own preprocessing (src/gear/emotion.ts: RGB in 0..1,
 * bilinear resize to 64, weighted gray, (x - 0.5) * 2); probabilities in FER2013 order.
 */
export async function humanEmotionOnCrop(human: HumanInstance, bgrCrop: Mat): Promise<Float32Array> {
  const model = human.models.models.emotion;
  if (!model) throw new Error('Human did not load its emotion model');
  const { tf } = human;
  const rgb = bgrCrop.cvtColor(cv.COLOR_BGR2RGB);
  const input = tf.tensor(Float32Array.from(rgb.getData(), (v) => v / 255), [1, rgb.rows, rgb.cols, 3], 'float32');
  const output = tf.tidy(() => {
    const resized = tf.image.resizeBilinear(input, [64, 64], false);
    const gray = tf.sum(tf.mul(resized, [0.2989, 0.587, 0.114]), 3, true);
    return model.execute(tf.mul(tf.sub(gray, 0.5), 2));
  });
  const probabilities = await output.data();
  input.dispose();
  output.dispose();
  return Float32Array.from(probabilities);
}
