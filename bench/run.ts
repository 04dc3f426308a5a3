/**
 * The standard fer-edge benchmark (`npm run bench`): every shipped model (fp32 ONNX, int8 ONNX, int8 TFLite, as far as
 * models/ holds them) and the mini-Xception peer through the same device path, the decode-only references, the detector
 * and the whole pipeline on the Tears of Steel clip, then @vladmandic/human on the same faces and clip.
 * Figures go to stdout and bench/results/latest.json; bench/RESULTS.md quotes them.
 *
 *   node --import tsx bench/run.ts [--runs 5] [--per-class N] [--detect-every 1] [--threads N] [--no-human] [--quantize-peer]
 *                                  [--models fer-mnv3s,fer-cnn4]
 *                                  [--out bench/results/latest.json]
 *
 * --quantize-peer also quantizes mini-Xception with `fer-edge quantize` (in a temporary folder) and measures its int8
 * QDQ ONNX (TensorRT and CPU flavours), int8 TFLite and fp16 ONNX versions: every runtime and format on the same model,
 * even before a student ships.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { benchText } from '../src/bench/report-text.js';
import { runBench, type BenchModel } from '../src/bench/run-bench.js';
import { childLogger } from '../src/core/log.js';
import { installCliLogger } from '../src/cli/log-format.js';
import { loadClassifierFromOptions } from '../src/eval/model-options.js';
import { quantizeModel } from '../src/quantize/index.js';
import { benchHuman, type HumanFigures } from './human-bench.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.FER_EDGE_SHARED ?? join(root, '..', 'shared');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'per-class': { type: 'string' },
    'detect-every': { type: 'string', default: '1' },
    'no-human': { type: 'boolean', default: false },
    'quantize-peer': { type: 'boolean', default: false },
    threads: { type: 'string' },
    models: { type: 'string' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'latest.json') },
  },
});

/** models/index.json's default model family (its file name up to the first dot), if any. */
function defaultFamily(dir: string): string | undefined {
  try {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { default?: { onnx?: string } };
    return index.default?.onnx?.split('.')[0];
  } catch {
    return undefined;
  }
}

/**
 * Shipped models: every .onnx / .tflite in models/ with its manifest beside it, or only the families (file name up to
 * the first dot) given with --models. The default family first and fp32 first in each family: the comparison's
 * reference is the first model.
 */
function shippedModels(families: string[] | undefined): string[] {
  const dir = join(root, 'models');
  if (!existsSync(dir)) return [];
  const preferred = defaultFamily(dir);
  const family = (file: string): string => file.split('.')[0]!;
  const format = (file: string): number => (file.endsWith('.tflite') ? 3 : file.includes('int8') ? 2 : file.includes('fp16') ? 1 : 0);
  return readdirSync(dir)
    .filter((file) => ['.onnx', '.tflite'].includes(extname(file)) && existsSync(join(dir, basename(file, extname(file)) + '.json')))
    .filter((file) => !families || families.includes(family(file)))
    .sort((a, b) => Number(family(b) === preferred) - Number(family(a) === preferred) || family(a).localeCompare(family(b)) || format(a) - format(b))
    .map((file) => join(dir, file));
}

const runs = Number(args.runs);
const perClass = args['per-class'] !== undefined ? Number(args['per-class']) : undefined;
const data = join(shared, 'data', 'fer2013', 'val');
const video = join(shared, 'media', 'tears_of_steel_10s_640x360.mp4');
const peer = join(shared, 'peers', 'mini_xception_fer2013.onnx');

installCliLogger(process.env.FER_EDGE_LOG_FORMAT);
const log = childLogger('bench');
const onProgress = (message: string): void => log.info(message);
const peerSpec = { model: peer, mean: [0.5], std: [0.5], output: 'probabilities' };
// Runtime threads for every model (ONNX Runtime intra-op, TFLite): on a busy machine 1 avoids thread-pool spinning.
const backend = args.threads ? ({ type: 'auto', threads: Number(args.threads) } as const) : undefined;

/** mini-Xception with a manifest beside it in a temporary folder, quantized there by fer-edge quantize. */
async function quantizedPeer(dir: string): Promise<BenchModel[]> {
  onProgress('quantizing mini-Xception (int8 QDQ ONNX in both flavours, int8 TFLite, fp16 ONNX)');
  const { model, classifier } = await loadClassifierFromOptions(peerSpec);
  await classifier.close();
  const fp32 = join(dir, 'mini_xception.onnx');
  symlinkSync(peer, fp32);
  writeFileSync(join(dir, 'mini_xception.json'), JSON.stringify({ ...model.manifest, name: 'mini_xception' }));
  const result = await quantizeModel({ modelPath: fp32, calibPath: join(shared, 'data', 'fer2013', 'train'), valCount: 350, outDir: dir, qdqFlavors: ['tensorrt', 'cpu'] });
  return result.files
    .filter((file) => ['.onnx', '.tflite'].includes(extname(file)))
    .map((file) => ({ label: `${basename(file)} (peer, quantized here)`, spec: { model: file }, ...(backend ? { backend } : {}) }));
}

const scratch = mkdtempSync(join(tmpdir(), 'fer-edge-bench-run-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const models: BenchModel[] = [
  ...shippedModels(args.models?.split(',')).map((path) => ({ label: basename(path), spec: { model: path }, ...(backend ? { backend } : {}) })),
  { label: 'mini_xception_fer2013.onnx (peer)', spec: peerSpec, ...(backend ? { backend } : {}) },
  ...(args['quantize-peer'] ? await quantizedPeer(scratch) : []),
];

const report = await runBench({
  models,
  faces: { path: data, ...(perClass !== undefined ? { perClass } : {}) },
  video,
  detectors: [{ type: 'blazeface' }, { type: 'yunet', model: join(shared, 'models', 'face', 'yunet_2023mar.onnx') }],
  batchSizes: [1, 4, 16],
  repeat: { runs, iterations: 100, warmup: 20 },
  endToEnd: { detectEvery: Number(args['detect-every']) },
  onProgress,
});
let human: HumanFigures | { error: string } | undefined;
if (!args['no-human']) {
  try {
    human = await benchHuman({ data, ...(perClass !== undefined ? { perClass } : {}), video, runs, onProgress });
  } catch (error) {
    human = { error: (error as Error).message };
  }
}

const lines = [benchText(report)];
if (human && 'error' in human) lines.push(`@vladmandic/human: could not run: ${human.error}`);
else if (human) {
  const ours = report.models[0]!;
  lines.push(`@vladmandic/human ${human.version} (${human.backend} backend), same faces and clip, same run`);
  if (human.accuracy) lines.push(`  emotion accuracy ${(100 * human.accuracy.accuracy).toFixed(2)}% (macro F1 ${human.accuracy.macroF1.toFixed(4)}) on ${human.accuracy.samples} faces; ${ours.label}: ${(100 * (ours.accuracy?.accuracy ?? NaN)).toFixed(2)}%`);
  if (human.video) {
    const ourFps = ours.endToEnd?.fps.median ?? NaN;
    lines.push(
      `  detect + emotion every frame: ${human.video.fps.median.toFixed(1)} [${human.video.fps.p25.toFixed(1)}-${human.video.fps.p75.toFixed(1)}] frames/s, ${human.video.facesPerFrame.toFixed(2)} faces/frame; ${ours.label}: ${ourFps.toFixed(1)} frames/s = ${(ourFps / human.video.fps.median).toFixed(2)}x Human`,
    );
  }
}
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, JSON.stringify({ command: `node --import tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(), report, human }, null, 2) + '\n');
