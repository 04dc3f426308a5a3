import type { ClassificationReport } from './metrics.js';
import { confusionText } from './confusion-text.js';

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;
const fixed = (x: number): string => x.toFixed(4);

/** What `fer-edge eval` prints: headline metrics, the per-class table and the confusion matrix. */
export function reportText(report: ClassificationReport, title: string): string {
  const labels = report.perClass.map((c) => c.label);
  const headline = [
    `${title}: ${report.samples} faces`,
    `  accuracy           ${percent(report.accuracy)}`,
    `  balanced accuracy  ${percent(report.balancedAccuracy)}`,
    `  macro F1           ${fixed(report.macroF1)}`,
    `  Cohen's kappa      ${fixed(report.cohenKappa)}`,
    `  log loss           ${fixed(report.logLoss)}`,
    `  ECE (15 bins)      ${fixed(report.ece)}`,
  ];
  const perClass = [
    `  ${'class'.padEnd(10)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'F1'.padStart(10)}${'support'.padStart(10)}`,
    ...report.perClass.map(
      (c) =>
        `  ${c.label.padEnd(10)}${fixed(c.precision).padStart(10)}${fixed(c.recall).padStart(10)}${fixed(c.f1).padStart(10)}${String(c.support).padStart(10)}`,
    ),
  ];
  const confusion = confusionText(report.confusion, labels)
    .split('\n')
    .map((line) => `  ${line}`);
  return [...headline, '', ...perClass, '', '  confusion matrix (rows: true, columns: predicted)', ...confusion].join('\n');
}
