/**
 * A histogram over [-limit, limit] with `binsPerSide` bins on each side of zero, so that the distribution of |x|
 * (what symmetric int8 needs) and each signed tail (what asymmetric int8 needs) come from the same counts.
 *
 * `limit` is the largest |x| seen, and a few calibration images can put it far above the rest: in MobileNetV3's late
 * blocks about 1% of faces drive activations 50-200x above the others' (a projection conv's output up to 83 where
 * the typical face's peak is 0.4). With 2048 bins that typical face fell in the first few bins, and no method could
 * pick a threshold under 128 bins (~5); 16384 bins keep it resolved at the cost of 256 KiB per tensor.
 */
export class SymmetricHistogram {
  readonly counts: Float64Array;
  readonly binWidth: number;
  total = 0;
  /** Exact zeros (the spike a ReLU leaves), counted apart so that entropy calibration can set them aside. */
  zeros = 0;

  constructor(
    readonly limit: number,
    readonly binsPerSide = 16384,
  ) {
    this.counts = new Float64Array(2 * binsPerSide);
    this.binWidth = limit > 0 ? limit / binsPerSide : 1;
  }

  add(values: Float32Array): void {
    const last = this.counts.length - 1;
    const offset = this.binsPerSide;
    const inverseWidth = 1 / this.binWidth;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 0) this.zeros++;
      let bin = Math.floor(values[i]! * inverseWidth) + offset;
      bin = bin < 0 ? 0 : bin > last ? last : bin;
      this.counts[bin]!++;
    }
    this.total += values.length;
  }

  /** Counts of |x|: bin k covers [k, k+1) x binWidth. */
  absolute(): Float64Array {
    const folded = new Float64Array(this.binsPerSide);
    for (let k = 0; k < this.binsPerSide; k++) folded[k] = this.counts[this.binsPerSide + k]! + this.counts[this.binsPerSide - 1 - k]!;
    return folded;
  }

  /** The value below which `fraction` of the samples lie (upper edge of the bin where the cumulative count reaches it). */
  quantile(fraction: number): number {
    const target = fraction * this.total;
    let cumulative = 0;
    for (let bin = 0; bin < this.counts.length; bin++) {
      cumulative += this.counts[bin]!;
      if (cumulative >= target) return (bin + 1 - this.binsPerSide) * this.binWidth;
    }
    return this.limit;
  }
}
