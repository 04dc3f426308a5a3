import { Option, type Command } from 'commander';
import { addBackendFlags, addModelFlags, type ModelFlags } from '../../eval/model-flags.js';

export interface EvalFlags extends ModelFlags {
  model?: string;
  data: string;
  usage?: string;
  perClass?: string;
  batchSize: string;
  flip?: boolean;
  json?: boolean;
  confusionPng?: string;
  predictions?: string;
}

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('Measure a model on labelled faces through the device path (same preprocessing and runtime as `run`).')
    .option('--model <path>', 'model file (.onnx or .tflite); default: the shipped model')
    .requiredOption('--data <path>', 'labelled faces: a folder of <class>/<image> (Kaggle FER2013 layout) or fer2013.csv')
    .addOption(new Option('--usage <split>', 'fer2013.csv only: rows whose Usage is this (default: every row)').choices(['Training', 'PublicTest', 'PrivateTest']))
    .option('--per-class <n>', 'at most n faces per class, the first ones (default: all)')
    .option('--batch-size <n>', 'faces per classifier call', '32')
    .option('--flip', 'flip test-time augmentation: also classify each face mirrored and average the probabilities')
    .option('--json', 'print the report as JSON instead of text')
    .option('--confusion-png <file>', 'also draw the confusion matrix into this PNG')
    .option('--predictions <file>', 'also write per-face probabilities as JSON lines (id, label, probabilities)');
  addModelFlags(command);
  addBackendFlags(command);
  command.action(async (flags: EvalFlags) => {
    const { evalCommand } = await import('./eval-action.js');
    await evalCommand(flags);
  });
}
