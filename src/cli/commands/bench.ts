import { basename } from 'node:path';
import type { Command } from 'commander';
import { benchText } from '../../bench/report-text.js';
import { runBench, type BenchModel } from '../../bench/run-bench.js';
import { addBackendFlags, addModelFlags, backendFromFlags, modelSpecFromFlags, parseNumber, positiveInteger, type ModelFlags } from '../../eval/model-flags.js';
import { ConfigError } from '../../sdk/errors.js';
import { log } from '../../sdk/log.js';
import { defaultModelPath } from '../../sdk/model/default-model.js';
import type { DetectorConfigInput } from '../../sdk/detectors/index.js';

interface BenchFlags extends ModelFlags {
  model?: string[];
  compare?: string[];
  data?: string;
  perClass: string;
  video?: string;
  detector: string[];
  detectEvery: string;
  maxFrames?: string;
  batch: string;
  runs: string;
  iterations: string;
  warmup: string;
  json?: boolean;
}

const DETECTOR_TYPES = ['blazeface', 'yunet', 'ultraface', 'haar'];

/** `blazeface`, `haar`, or `yunet=<model.onnx>` / `ultraface=<model.onnx>`. */
function parseDetectorFlag(value: string): DetectorConfigInput {
  const [type = '', model] = value.split('=', 2);
  if (!DETECTOR_TYPES.includes(type)) throw new ConfigError(`--detector ${value}: type must be one of ${DETECTOR_TYPES.join(', ')}`);
  return (model ? { type, model } : { type }) as DetectorConfigInput;
}

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .description('Measure speed (and accuracy on labelled faces) of models, detectors and the whole pipeline; every figure repeated.')
    .option('--model <path...>', 'models to measure, e.g. the fp32 ONNX, int8 ONNX and int8 TFLite of one student; default: the shipped model')
    .option('--compare <path...>', 'peer models run through the same path in the same run (describe them with --peer-* flags)')
    .option('--data <path>', 'labelled faces (folder or fer2013.csv): real crops for the latency runs and the accuracy column')
    .option('--per-class <n>', 'faces per class taken from --data', '50')
    .option('--video <file>', 'a video for decode-only references, detector latency and end-to-end frames/s')
    .option('--detector <detector...>', `detectors to time: type or type=model (${DETECTOR_TYPES.join(', ')}; yunet and ultraface need =<model.onnx>); the first runs end to end`, ['blazeface'])
    .option('--detect-every <n>', 'end to end: run the detector every nth frame (tracking in between)', '1')
    .option('--max-frames <n>', 'end to end: stop after n frames')
    .option('--batch <sizes>', 'classification batch sizes (faces per call), comma-separated', '1,4')
    .option('--runs <n>', 'repetitions of every measurement', '5')
    .option('--iterations <n>', 'calls per latency repetition', '50')
    .option('--warmup <n>', 'untimed calls before timing', '10')
    .option('--json', 'print the report as JSON');
  addModelFlags(command, 'peer');
  addBackendFlags(command);
  command.action(async (flags: BenchFlags) => {
    if (!flags.data && !flags.video) throw new ConfigError('nothing to measure: give --data (classification) and/or --video (detection, end to end)');
    const backend = backendFromFlags(flags);
    const ours = flags.model ?? [defaultModelPath(flags.backend === 'tflite' ? 'tflite' : 'onnx')];
    const models: BenchModel[] = [
      ...ours.map((path) => ({ label: basename(path), spec: { model: path }, backend })),
      ...(flags.compare ?? []).map((path) => ({
        label: basename(path),
        spec: modelSpecFromFlags(path, flags as unknown as Record<string, unknown>, 'peer'),
        backend,
      })),
    ];
    const batchSizes = flags.batch.split(',').map((b) => parseNumber(b, '--batch', positiveInteger)!);
    const detectors = flags.detector.map(parseDetectorFlag);
    const maxFrames = parseNumber(flags.maxFrames, '--max-frames', positiveInteger);
    const report = await runBench({
      models,
      ...(flags.data ? { faces: { path: flags.data, perClass: parseNumber(flags.perClass, '--per-class', positiveInteger)! } } : {}),
      ...(flags.video ? { video: flags.video } : {}),
      detectors,
      batchSizes,
      repeat: {
        runs: parseNumber(flags.runs, '--runs', positiveInteger)!,
        iterations: parseNumber(flags.iterations, '--iterations', positiveInteger)!,
        warmup: parseNumber(flags.warmup, '--warmup', (n) => Number.isInteger(n) && n >= 0)!,
      },
      endToEnd: {
        detectEvery: parseNumber(flags.detectEvery, '--detect-every', positiveInteger)!,
        ...(maxFrames !== undefined ? { maxFrames } : {}),
        ...(detectors[0] ? { detector: detectors[0] } : {}),
      },
      onProgress: (message) => log.info(message),
    });
    process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : benchText(report) + '\n');
  });
}
