import { spread, type Spread } from './stats.js';

export interface RepeatOptions {
  /** Independent runs; the figure reported is their median and spread. */
  runs: number;
  /** Calls timed together in one run; the run's figure is the mean time per call. */
  iterations: number;
  /** Untimed calls before the first run (JIT, allocator and runtime caches). */
  warmup: number;
}

/** Times `fn` and returns milliseconds per call: one mean per run, summarized over the runs. */
export async function timePerCall(fn: () => Promise<unknown>, options: RepeatOptions): Promise<Spread> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const perRun: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const start = performance.now();
    for (let i = 0; i < options.iterations; i++) await fn();
    perRun.push((performance.now() - start) / options.iterations);
  }
  return spread(perRun);
}

/** Runs `measure` `runs` times (each returns one figure, e.g. frames/s) and summarizes. */
export async function repeatFigure(runs: number, measure: () => Promise<number>): Promise<Spread> {
  const values: number[] = [];
  for (let run = 0; run < runs; run++) values.push(await measure());
  return spread(values);
}

/** The process's peak resident set size so far, in MiB (Linux ru_maxrss). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
