import { clipToThreshold, type CalibrationMethod } from './range.js';

const QUANTIZED_LEVELS = 128;

function klDivergence(reference: Float64Array, candidate: Float64Array): number {
  const referenceTotal = reference.reduce((a, b) => a + b, 0);
  const candidateTotal = candidate.reduce((a, b) => a + b, 0);
  let divergence = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / referenceTotal;
    if (p === 0) continue;
    // A level the quantized distribution cannot represent gets a tiny mass instead of an infinite penalty.
    const q = Math.max(candidate[i]! / candidateTotal, 1e-12);
    divergence += p * Math.log(p / q);
  }
  return divergence;
}

/**
 * TensorRT's entropy calibration: the |x| threshold whose 128-level quantization loses the least information,
 * measured as KL(P || Q) between the clipped distribution P (outliers folded into the last bin) and Q, P quantized to
 * 128 levels and expanded back over the non-empty bins.
 */
export const entropyRange: CalibrationMethod = (stats) => {
  const histogram = stats.histogram.absolute();
  const bins = histogram.length;
  let bestBins = bins;
  let bestDivergence = Number.POSITIVE_INFINITY;
  let outliers = histogram.reduce((a, b) => a + b, 0) - histogram.slice(0, QUANTIZED_LEVELS).reduce((a, b) => a + b, 0);
  for (let edge = QUANTIZED_LEVELS; edge <= bins; edge++) {
    const reference = histogram.slice(0, edge);
    reference[edge - 1]! += outliers;
    outliers -= histogram[edge] ?? 0;
    const candidate = new Float64Array(edge);
    const perLevel = edge / QUANTIZED_LEVELS;
    for (let level = 0; level < QUANTIZED_LEVELS; level++) {
      const start = Math.floor(level * perLevel);
      const end = level === QUANTIZED_LEVELS - 1 ? edge : Math.floor((level + 1) * perLevel);
      let mass = 0;
      let used = 0;
      for (let i = start; i < end; i++) {
        mass += histogram[i]!;
        if (histogram[i]! > 0) used++;
      }
      if (used === 0) continue;
      for (let i = start; i < end; i++) if (histogram[i]! > 0) candidate[i] = mass / used;
    }
    const divergence = klDivergence(reference, candidate);
    if (divergence < bestDivergence) {
      bestDivergence = divergence;
      bestBins = edge;
    }
  }
  return clipToThreshold(stats, bestBins * stats.histogram.binWidth);
};
