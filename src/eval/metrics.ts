/**
 * Classification metrics over labelled predictions, defined as scikit-learn defines them so that a model's figures
 * from `fer-edge eval` and from the Python evaluation can be compared number for number.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true samples of this class. */
  support: number;
}

export interface CalibrationBin {
  /** Bin edges over the top-label confidence: (lower, upper], the first bin also holds 0. */
  lower: number;
  upper: number;
  count: number;
  accuracy: number;
  meanConfidence: number;
}

export interface ClassificationReport {
  samples: number;
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
  cohenKappa: number;
  logLoss: number;
  /** Expected calibration error: 15 equal-width bins over the top-label confidence. */
  ece: number;
  perClass: ClassMetrics[];
  /** confusion[trueIndex][predictedIndex]. */
  confusion: number[][];
  calibration: CalibrationBin[];
}

export const ECE_BINS = 15;

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export function confusionMatrix(truth: readonly number[], predicted: readonly number[], classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  truth.forEach((t, i) => matrix[t]![predicted[i]!]!++);
  return matrix;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : sum(values) / values.length);
/** scikit-learn's zero_division=0: an undefined ratio counts as 0. */
const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

interface ClassCounts {
  truePositives: number;
  /** Row sum: how many samples truly are this class. */
  actual: number;
  /** Column sum: how many samples were predicted as this class. */
  predicted: number;
}

function classCounts(confusion: number[][]): ClassCounts[] {
  return confusion.map((row, k) => ({
    truePositives: row[k]!,
    actual: sum(row),
    predicted: sum(confusion.map((r) => r[k]!)),
  }));
}

function perClassMetrics(counts: ClassCounts[], labels: readonly string[]): ClassMetrics[] {
  return counts.map((c, k) => ({
    label: labels[k] ?? String(k),
    precision: ratio(c.truePositives, c.predicted),
    recall: ratio(c.truePositives, c.actual),
    f1: ratio(2 * c.truePositives, c.actual + c.predicted),
    support: c.actual,
  }));
}

/** Cohen's kappa over the confusion matrix: (observed - chance agreement) / (1 - chance agreement). */
export function cohenKappa(confusion: number[][]): number {
  const counts = classCounts(confusion);
  const total = sum(counts.map((c) => c.actual));
  const observed = sum(counts.map((c) => c.truePositives)) / total;
  const chance = sum(counts.map((c) => (c.actual / total) * (c.predicted / total)));
  return (observed - chance) / (1 - chance);
}

/** Mean negative log-likelihood of the true class, with scikit-learn's clipping (float64 epsilon) and renormalization. */
export function logLoss(probabilities: readonly ArrayLike<number>[], truth: readonly number[]): number {
  const eps = Number.EPSILON;
  const clip = (p: number): number => Math.min(Math.max(p, eps), 1 - eps);
  const losses = probabilities.map((row, i) => {
    const clipped = Array.from(row, clip);
    return -Math.log(clipped[truth[i]!]! / sum(clipped));
  });
  return mean(losses);
}

/** Top-label calibration: equal-width bins over max probability; ECE is the count-weighted mean |accuracy - confidence|. */
export function calibration(
  probabilities: readonly ArrayLike<number>[],
  truth: readonly number[],
  bins = ECE_BINS,
): { ece: number; bins: CalibrationBin[] } {
  const table = Array.from({ length: bins }, (_, b) => ({ lower: b / bins, upper: (b + 1) / bins, count: 0, correct: 0, confidence: 0 }));
  probabilities.forEach((row, i) => {
    const predicted = argmax(row);
    const confidence = row[predicted]!;
    const bin = table.find((b) => confidence <= b.upper) ?? table[bins - 1]!;
    bin.count++;
    bin.confidence += confidence;
    if (predicted === truth[i]) bin.correct++;
  });
  const total = probabilities.length;
  const ece = sum(table.map((b) => (b.count === 0 ? 0 : (b.count / total) * Math.abs(b.correct / b.count - b.confidence / b.count))));
  return {
    ece,
    bins: table.map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      accuracy: ratio(b.correct, b.count),
      meanConfidence: ratio(b.confidence, b.count),
    })),
  };
}

/**
 * Every metric fer-edge reports, from per-sample probabilities (rows over `labels`) and true label indices.
 * Balanced accuracy and macro F1 average over the classes that occur (in the truth, and in truth or predictions
 * respectively), as scikit-learn's defaults do; the per-class table always lists every label.
 */
export function classificationReport(
  probabilities: readonly ArrayLike<number>[],
  truth: readonly number[],
  labels: readonly string[],
): ClassificationReport {
  if (probabilities.length !== truth.length) throw new RangeError(`${probabilities.length} predictions for ${truth.length} labels`);
  if (truth.length === 0) throw new RangeError('no samples to evaluate');
  const predicted = probabilities.map(argmax);
  const confusion = confusionMatrix(truth, predicted, labels.length);
  const counts = classCounts(confusion);
  const perClass = perClassMetrics(counts, labels);
  const occurring = perClass.filter((_, k) => counts[k]!.actual > 0);
  const occurringInEither = perClass.filter((_, k) => counts[k]!.actual > 0 || counts[k]!.predicted > 0);
  const { ece, bins } = calibration(probabilities, truth);
  return {
    samples: truth.length,
    accuracy: sum(counts.map((c) => c.truePositives)) / truth.length,
    balancedAccuracy: mean(occurring.map((c) => c.recall)),
    macroF1: mean(occurringInEither.map((c) => c.f1)),
    cohenKappa: cohenKappa(confusion),
    logLoss: logLoss(probabilities, truth),
    ece,
    perClass,
    confusion,
    calibration: bins,
  };
}
