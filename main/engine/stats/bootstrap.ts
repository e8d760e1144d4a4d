// Percentile bootstrap confidence interval (Efron): resample the n observations with replacement B times with a seeded
// generator, compute the statistic on each resample, and take the (1 - level)/2 and (1 + level)/2 quantiles of those B
// values (linear interpolation between order statistics, as np.percentile). The statistic defaults to the mean; a
// metric whose dataset value is not a mean (a median curve, summed counts) passes its own aggregate over indices.
import { Rng } from '../data/rng';

export interface BootstrapOptions {
  /** Resamples; default 2000. */
  resamples?: number;
  /** Coverage; default 0.95. */
  level?: number;
  seed: number;
}

export interface Interval {
  low: number;
  high: number;
  level: number;
  resamples: number;
  seed: number;
}

/** The q-quantile (0..1) of sorted values, linear between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}

/** Interval of statistic(indices) over resampled index sets of 0..n-1. */
export function bootstrapIndices(n: number, statistic: (indices: Int32Array) => number, o: BootstrapOptions): Interval {
  const resamples = o.resamples ?? 2000;
  const level = o.level ?? 0.95;
  if (n === 0) return { low: NaN, high: NaN, level, resamples, seed: o.seed };
  const rng = new Rng(o.seed);
  const stats = new Float64Array(resamples);
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.next() * n);
    stats[b] = statistic(idx);
  }
  const finite = stats.filter((v) => Number.isFinite(v)).sort();
  return { low: quantileSorted(finite, (1 - level) / 2), high: quantileSorted(finite, (1 + level) / 2), level, resamples, seed: o.seed };
}

/** Percentile bootstrap interval of the mean of `values`. */
export function bootstrapMean(values: ArrayLike<number>, o: BootstrapOptions): Interval {
  return bootstrapIndices(values.length, (idx) => {
    let s = 0;
    for (let i = 0; i < idx.length; i++) s += values[idx[i]];
    return s / idx.length;
  }, o);
}
