// Per-step summaries of a sanity job's stored similarities (mean, std, 95% bootstrap interval per step, method and
// measure), by the engine's own step-summaries.ts, which loads no TF.js. The service reaches the engine only through
// the jobs layer, so it asks here.
import type { SanityStepSummary } from '../../shared/job-outputs';
import type { SimilarityRecord } from '../../shared/store-types';
import { summarizeSteps } from '../engine/sanity/step-summaries';

export function summarizeSimilarities(rows: readonly SimilarityRecord[], labels: ReadonlyMap<number, string>, seed: number): SanityStepSummary[] {
  return summarizeSteps(rows.map((r) => ({ step: r.step, method: r.method, measure: r.measure, value: r.value })), labels, seed);
}
