import type { Command } from 'commander';
import { addBackendFlags, addModelFlags, type ModelFlags } from '../../eval/model-flags.js';
import { DETECTOR_PLUGINS } from '../../sdk/detectors/registry.js';

export interface BenchFlags extends ModelFlags {
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

/** `blazeface, yunet=<model.onnx>, ...`: each detector, with the model file it must be given. */
function detectorChoices(): string {
  return DETECTOR_PLUGINS.map((p) => (p.modelFile?.required ? `${p.type}=<model${p.modelFile.extensions[0]}>` : p.type)).join(', ');
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
    .option('--detector <detector...>', `detectors to time, type or type=<model file> (${detectorChoices()}); the first runs end to end`, ['blazeface'])
    .option('--detect-every <n>', 'end to end: run the detector every nth frame, 1-30 (tracking in between)', '1')
    .option('--max-frames <n>', 'end to end: stop after n frames (default: the whole video)')
    .option('--batch <sizes>', 'classification batch sizes (faces per call), comma-separated', '1,4')
    .option('--runs <n>', 'repetitions of every measurement', '5')
    .option('--iterations <n>', 'calls per latency repetition', '50')
    .option('--warmup <n>', 'untimed calls before timing', '10')
    .option('--json', 'print the report as JSON');
  addModelFlags(command, 'peer');
  addBackendFlags(command);
  command.action(async (flags: BenchFlags) => {
    const { benchCommand } = await import('./bench-action.js');
    await benchCommand(flags);
  });
}
