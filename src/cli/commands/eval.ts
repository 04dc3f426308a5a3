import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { writeConfusionPng } from '../../eval/confusion-png.js';
import { evaluate, writePredictions, type EvaluationResult } from '../../eval/evaluate.js';
import { addBackendFlags, addModelFlags, backendFromFlags, modelSpecFromFlags, parseNumber, positiveInteger, type ModelFlags } from '../../eval/model-flags.js';
import { reportText } from '../../eval/report-text.js';
import { defaultModelPath } from '../../sdk/model/default-model.js';

interface EvalFlags extends ModelFlags {
  model?: string;
  data: string;
  usage?: string;
  perClass?: string;
  batchSize: string;
  json?: boolean;
  confusionPng?: string;
  predictions?: string;
}

function jsonSummary(result: EvaluationResult): object {
  const { predictions: _predictions, ...rest } = result;
  return { ...rest, facesPerSecond: result.data.samples / result.seconds };
}

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('Measure a model on labelled faces through the device path (same preprocessing and runtime as `run`).')
    .option('--model <path>', 'model file (.onnx or .tflite); default: the shipped model')
    .requiredOption('--data <path>', 'labelled faces: a folder of <class>/<image> (Kaggle FER2013 layout) or fer2013.csv')
    .option('--usage <split>', 'fer2013.csv only: rows whose Usage is this (Training, PublicTest, PrivateTest)')
    .option('--per-class <n>', 'at most n faces per class (the first ones)')
    .option('--batch-size <n>', 'faces per classifier call', '32')
    .option('--json', 'print the report as JSON instead of text')
    .option('--confusion-png <file>', 'also draw the confusion matrix into this PNG')
    .option('--predictions <file>', 'also write per-face probabilities as JSON lines (id, label, probabilities)');
  addModelFlags(command);
  addBackendFlags(command);
  command.action(async (flags: EvalFlags) => {
    const modelPath = flags.model ?? defaultModelPath(flags.backend === 'tflite' ? 'tflite' : 'onnx');
    const bar = process.stderr.isTTY && !flags.json ? new cliProgress.SingleBar({ stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
    const result = await evaluate({
      model: modelSpecFromFlags(modelPath, flags as unknown as Record<string, unknown>),
      backend: backendFromFlags(flags),
      data: {
        path: flags.data,
        usage: flags.usage,
        perClass: parseNumber(flags.perClass, '--per-class', positiveInteger),
      },
      batchSize: parseNumber(flags.batchSize, '--batch-size', positiveInteger)!,
      onProgress: (done, total) => {
        if (done === Math.min(total, Number(flags.batchSize))) bar?.start(total, 0);
        bar?.update(done);
      },
    }).finally(() => bar?.stop());
    const labels = result.report.perClass.map((c) => c.label);
    const title = `${result.model.name} (${result.model.format} ${result.model.precision}, ${result.model.runtime}/${result.model.accelerator})`;
    if (flags.confusionPng) writeConfusionPng(flags.confusionPng, result.report.confusion, labels, `${title}: ${result.data.samples} faces`);
    if (flags.predictions) await writePredictions(flags.predictions, result.predictions);
    if (flags.json) {
      process.stdout.write(JSON.stringify(jsonSummary(result), null, 2) + '\n');
    } else {
      process.stdout.write(`${reportText(result.report, `${title} on ${result.data.path}`)}\n`);
      process.stdout.write(`  ${(result.data.samples / result.seconds).toFixed(0)} faces/s end to end (decode, crop, classify)\n`);
    }
  });
}
