import cliProgress from 'cli-progress';
import { writeConfusionPng } from '../../eval/confusion-png.js';
import { evaluate, writePredictions, type EvaluationResult } from '../../eval/evaluate.js';
import { backendFromFlags, modelSpecFromFlags, parseNumber, positiveInteger } from '../../eval/model-flags.js';
import { reportText } from '../../eval/report-text.js';
import { defaultModelFor } from '../../sdk/backends/index.js';
import type { EvalFlags } from './eval.js';
import { showProgress } from '../log-format.js';

function jsonSummary(result: EvaluationResult): object {
  const { predictions: _predictions, ...rest } = result;
  return { ...rest, facesPerSecond: result.data.samples / result.seconds };
}

/** `fer-edge eval`: a model on labelled faces through the device path. */
export async function evalCommand(flags: EvalFlags): Promise<void> {
  const backend = backendFromFlags(flags);
  const modelPath = flags.model ?? defaultModelFor(backend);
  const bar = showProgress(flags.json) ? new cliProgress.SingleBar({ stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  const result = await evaluate({
    model: modelSpecFromFlags(modelPath, flags as unknown as Record<string, unknown>),
    backend,
    data: {
      path: flags.data,
      usage: flags.usage,
      perClass: parseNumber(flags.perClass, '--per-class', positiveInteger),
    },
    batchSize: parseNumber(flags.batchSize, '--batch-size', positiveInteger)!,
    flip: flags.flip === true,
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
}
