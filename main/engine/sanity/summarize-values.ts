// Summary of one step's similarity values over images (docs/methods.md §5.8): mean, standard deviation and a 95% interval.
// The interval is the seeded percentile bootstrap of the mean that the metric tables report too (engine/stats), so that a figure's band shows how well
// the mean is known. The standard deviation is the sample one (n - 1). Undefined values (null or NaN: a constant map
// under a correlation) are left out and counted.
import { bootstrapMean } from '../stats/bootstrap';

export const BOOTSTRAP_RESAMPLES = 2000;

export interface ValueSummary {
  /** Defined values summarized. */
  n: number;
  /** Values left out because they were undefined. */
  undefinedCount: number;
  mean: number | null;
  /** Sample standard deviation; null below 2 values. */
  std: number | null;
  /** 95% bootstrap interval of the mean; null without values. */
  ci95: [number, number] | null;
}

export function summarizeValues(values: ReadonlyArray<number | null>, seed: number): ValueSummary {
  const defined = values.filter((v): v is number => v !== null && !Number.isNaN(v));
  const n = defined.length;
  const undefinedCount = values.length - n;
  if (n === 0) return { n, undefinedCount, mean: null, std: null, ci95: null };
  const mean = defined.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(defined.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  const ci = bootstrapMean(defined, { seed, resamples: BOOTSTRAP_RESAMPLES });
  return { n, undefinedCount, mean, std, ci95: [ci.low, ci.high] };
}
