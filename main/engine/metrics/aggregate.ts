// Aggregation helpers shared by the metrics: the mean of per-image values, and the count of skipped images by reason.
import type { Aggregate, ImageScore } from './metric';

export function skippedByReason(scores: ImageScore[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of scores) if (s.value === null) out[s.skipped ?? 'skipped'] = (out[s.skipped ?? 'skipped'] ?? 0) + 1;
  return out;
}

/** Mean of the non-null per-image values (NaN when there are none). */
export function meanAggregate(scores: ImageScore[]): Aggregate {
  const vals = scores.filter((s) => s.value !== null).map((s) => s.value!);
  return { value: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN, images: vals.length, skipped: skippedByReason(scores) };
}
