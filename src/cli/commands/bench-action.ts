import { basename } from 'node:path';
import { benchText } from '../../bench/report-text.js';
import { runBench, type BenchModel } from '../../bench/run-bench.js';
import { backendFromFlags, modelSpecFromFlags, parseNumber, positiveInteger } from '../../eval/model-flags.js';
import { ConfigError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import { defaultModelFor } from '../../sdk/backends/index.js';
import { detectorPlugin, type DetectorConfigInput } from '../../sdk/detectors/index.js';
import type { BenchFlags } from './bench.js';

/** `type` or `type=<file>`: a detector and, when it takes one, its model (or cascade) file. */
function parseDetectorFlag(value: string): DetectorConfigInput {
  const [type = '', file] = value.split('=', 2);
  let plugin;
  try {
    plugin = detectorPlugin(type);
  } catch (error) {
    throw new ConfigError(`--detector ${value}: ${(error as Error).message}`);
  }
  if (file === undefined) return { type } as DetectorConfigInput;
  if (!plugin.modelFile) throw new ConfigError(`--detector ${value}: ${type} takes no model file`);
  return { type, [plugin.modelFile.option]: file } as DetectorConfigInput;
}

/** `fer-edge bench`: the measurements the flags ask for, as text or JSON on stdout. */
export async function benchCommand(flags: BenchFlags): Promise<void> {
  if (!flags.data && !flags.video) throw new ConfigError('nothing to measure: give --data (classification) and/or --video (detection, end to end)');
  const backend = backendFromFlags(flags);
  const ours = flags.model ?? [defaultModelFor(backend)];
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
    onProgress: (message) => childLogger('bench').info(message),
  });
  process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : benchText(report) + '\n');
}
