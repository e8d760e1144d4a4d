// How a metrics spec reads, shared by the worker (main/jobs/executors/metrics-executor.ts) and the table rebuilt in the main process
// (main/jobs/metrics-results.ts): its configurations (the table's columns) and the method and metric options each resolves
// with. No engine import here, so the main process can read specs without loading TF.js.
import type { MethodVariant, MetricsSpec } from './job-spec';
import { pickMethodOptions } from './method-options';

/** The configurations a spec names: its variants, else one per method with the spec's shared options. */
export function specVariants(spec: MetricsSpec): MethodVariant[] {
  return spec.variants ?? spec.methods.map((m) => ({ name: m, method: m }));
}

/** The method options of one configuration (runMetrics' methodOptions plus the run seed, as it passes them). */
export function variantOptions(spec: MetricsSpec, v: MethodVariant): ReturnType<typeof pickMethodOptions> & { batchSize?: number; seed: number } {
  return {
    ...pickMethodOptions(spec),
    ...pickMethodOptions({ steps: v.steps, layers: v.layers, baseline: v.baseline }),
    batchSize: spec.batchSize, seed: spec.seed ?? 0,
  };
}

/** The SIC/AIC protocol options of the spec (every other metric has fixed parameters). */
export function specMetricOptions(spec: MetricsSpec): { webpQuality?: number; minProbability?: number; aggregation?: 'median' | 'mean' } {
  return { webpQuality: spec.webpQuality, minProbability: spec.minProbability, aggregation: spec.aggregation };
}

/** Bootstrap resamples per table cell. */
export function specResamples(spec: MetricsSpec): number {
  return spec.resamples ?? 2000;
}
