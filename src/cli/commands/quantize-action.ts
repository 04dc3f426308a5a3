import cliProgress from 'cli-progress';
import { parseNumber, positiveInteger } from '../../eval/model-flags.js';
import { parseFormats, parseQdqFlavors, quantizeModel, reportTable } from '../../quantize/index.js';
import { calibrationMethod, type CalibrationMethodName } from '../../quantize/calibrate/index.js';
import type { QuantizeFlags } from './quantize.js';
import { showProgress } from '../log-format.js';

const STAGE_TITLES: Record<string, string> = { calibrate: 'calibrating', verify: 'verifying  ' };

/** `fer-edge quantize`: int8 QDQ ONNX, int8 TFLite and fp16 ONNX from an fp32 model, with the verification report. */
export async function quantizeCommand(model: string, flags: QuantizeFlags): Promise<void> {
  calibrationMethod(flags.method);
  const bar = showProgress(flags.json) ? new cliProgress.SingleBar({ stream: process.stderr, format: '{stage} [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic) : undefined;
  let currentStage = '';
  const result = await quantizeModel({
    modelPath: model,
    calibPath: flags.calib,
    calibCount: parseNumber(flags.calibCount, '--calib-count', positiveInteger)!,
    method: flags.method as CalibrationMethodName,
    percentile: parseNumber(flags.percentile, '--percentile')!,
    formats: parseFormats(flags.formats),
    qdqFlavors: parseQdqFlavors(flags.qdqFlavor),
    ...(flags.val ? { valPath: flags.val } : {}),
    ...(flags.valCount ? { valCount: parseNumber(flags.valCount, '--val-count', positiveInteger)! } : {}),
    ...(flags.outDir ? { outDir: flags.outDir } : {}),
    exclude: (flags.exclude ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    onProgress: (stage, done, total) => {
      if (stage !== currentStage) {
        bar?.stop();
        bar?.start(total, 0, { stage: STAGE_TITLES[stage] ?? stage });
        currentStage = stage;
      }
      bar?.update(done);
    },
  }).finally(() => bar?.stop());
  if (flags.json) {
    process.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
    return;
  }
  process.stdout.write(`${reportTable(result.report)}\n\nwrote:\n${result.files.map((f) => `  ${f}`).join('\n')}\n`);
}
