import { clipToThreshold, type CalibrationMethod } from './range.js';

const QUANTIZED_LEVELS = 128;
/**
 * Candidate thresholds grow by 2% (at least one bin) from 128 bins up to the whole histogram: even spacing over the
 * fine histogram would cost O(bins^2) per tensor, and the KL curve is smooth at this relative resolution.
 */
const EDGE_GROWTH = 1.02;

/**
 * KL(P || Q) for the threshold at bin `edge`: P is the histogram clipped at `edge` with the outliers folded into its
 * last bin; Q is P's first `edge` bins merged into 128 levels and spread back evenly over each level's non-empty bins.
 */
function divergenceAt(histogram: Float64Array, edge: number, total: number, prefix: Float64Array): number {
  const outliers = total - prefix[edge]!;
  const inside = prefix[edge]!;
  const perLevel = edge / QUANTIZED_LEVELS;
  let divergence = 0;
  for (let level = 0; level < QUANTIZED_LEVELS; level++) {
    const start = Math.floor(level * perLevel);
    const end = level === QUANTIZED_LEVELS - 1 ? edge : Math.floor((level + 1) * perLevel);
    let used = 0;
    for (let i = start; i < end; i++) if (histogram[i]! > 0) used++;
    const q = used > 0 ? (prefix[end]! - prefix[start]!) / used / inside : 0;
    for (let i = start; i < end; i++) {
      const count = histogram[i]! + (i === edge - 1 ? outliers : 0);
      if (count === 0) continue;
      const p = count / total;
      // A level the quantized distribution cannot represent gets a tiny mass instead of an infinite penalty.
      divergence += p * Math.log(p / Math.max(histogram[i]! > 0 ? q : 0, 1e-12));
    }
  }
  return divergence;
}

/**
 * TensorRT's entropy calibration: the |x| threshold whose 128-level quantization loses the least information,
 * measured as KL divergence between the clipped distribution and its quantized version.
 */
export const entropyRange: CalibrationMethod = (stats) => {
  const histogram = stats.histogram.absolute();
  // Zeros are represented exactly whatever the threshold; left in, a ReLU's zero spike drags the threshold far too low.
  histogram[0] = Math.max(0, histogram[0]! - stats.histogram.zeros);
  const bins = histogram.length;
  const prefix = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) prefix[i + 1] = prefix[i]! + histogram[i]!;
  const total = prefix[bins]!;
  if (total === 0) return clipToThreshold(stats, stats.histogram.limit);
  let bestEdge = bins;
  let bestDivergence = Number.POSITIVE_INFINITY;
  for (let candidate = QUANTIZED_LEVELS; ; candidate = Math.max(candidate + 1, Math.round(candidate * EDGE_GROWTH))) {
    const edge = Math.min(candidate, bins);
    const divergence = divergenceAt(histogram, edge, total, prefix);
    if (divergence < bestDivergence) {
      bestDivergence = divergence;
      bestEdge = edge;
    }
    if (edge === bins) break;
  }
  return clipToThreshold(stats, bestEdge * stats.histogram.binWidth);
};
