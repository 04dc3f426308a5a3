/** How much a series moved between the start and the end of the steady part of a run. */
export interface Drift {
  /** Mean of the first and of the last minute (or third, on a short run) of the samples given. */
  start: number;
  end: number;
  /** (end - start) / start, in percent. */
  percent: number;
  /** Least-squares slope, per hour. */
  perHour: number;
  max: number;
}

export function drift(points: ReadonlyArray<{ seconds: number; value: number }>, spanSamples = 6): Drift | undefined {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (finite.length < 2) return undefined;
  const n = Math.max(1, Math.min(spanSamples, Math.floor(finite.length / 3)));
  const mean = (list: typeof finite) => list.reduce((sum, p) => sum + p.value, 0) / list.length;
  const start = mean(finite.slice(0, n));
  const end = mean(finite.slice(-n));
  const meanT = finite.reduce((sum, p) => sum + p.seconds, 0) / finite.length;
  const meanV = mean(finite);
  let covariance = 0;
  let variance = 0;
  for (const p of finite) {
    covariance += (p.seconds - meanT) * (p.value - meanV);
    variance += (p.seconds - meanT) ** 2;
  }
  return {
    start,
    end,
    percent: ((end - start) / start) * 100,
    perHour: variance > 0 ? (covariance / variance) * 3600 : 0,
    max: Math.max(...finite.map((p) => p.value)),
  };
}
