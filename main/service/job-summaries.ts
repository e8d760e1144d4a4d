// Per-job summaries from the committed items' outputs: what was explained, skipped, reused and how fast; or what a
// training run achieved. Pure, so the CLI's --json, the UI and the web server show the same figures.
import { ExplainItemOutputSchema, TrainItemOutputSchema, type ExplainItemOutput } from '../../shared/job-outputs';
import type { ExplainJobSummary, TrainJobSummary } from '../../shared/service-api';
import type { ItemRecord, JobRecord } from '../../shared/store-types';
import { jobHeader, mapTimings, median } from '../jobs/job-summary-parts';

// Re-exported for the sanity summary, which has always taken it from here.
export { median } from '../jobs/job-summary-parts';

function seconds(job: JobRecord): number | null {
  if (!job.startedAt || !job.finishedAt) return null;
  return (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
}

/** Outputs of committed items that parse as this job kind's; anything else is left out. */
function outputs<T>(items: readonly ItemRecord[], parse: (v: unknown) => { success: true; data: T } | { success: false }): T[] {
  return items.filter((i) => i.state === 'done').flatMap((i) => {
    const r = parse(i.output);
    return r.success ? [r.data] : [];
  });
}

export function explainSummary(job: JobRecord, items: readonly ItemRecord[]): ExplainJobSummary {
  const done = outputs(items, (v) => ExplainItemOutputSchema.safeParse(v));
  const images = done.filter((o): o is Extract<ExplainItemOutput, { kind: 'image' }> => o.kind === 'image');
  const methods = images[0]?.methods.map((m) => ({ id: m.id, version: m.version, params: m.params })) ?? [];
  const timings = mapTimings(methods.map((m) => m.id), images.map((im) => im.methods), (m) => m.id);
  return {
    kind: 'explain',
    ...jobHeader(job),
    methods,
    backend: job.provenance?.backend ?? null,
    images: images.map((im) => ({
      image: im.image,
      label: im.label,
      targetClass: im.targetClass,
      predictedClass: im.predictedClass,
      targetProbability: im.targetProbability,
      millis: Object.fromEntries(im.methods.filter((m) => m.millis !== null).map((m) => [m.id, m.millis as number])),
      reused: im.methods.filter((m) => m.reused).map((m) => m.id),
      completenessGap: Object.fromEntries(im.methods.flatMap((m) => (m.completeness ? [[m.id, m.completeness.relativeGap]] : []))),
    })),
    skipped: done.flatMap((o) => (o.kind === 'skipped' ? [{ image: o.image, reason: o.reason }] : [])),
    medianMillis: timings.medianMillis,
    completenessGap: Object.fromEntries(methods.flatMap((m) => {
      const gaps = images.flatMap((im) => im.methods.filter((x) => x.id === m.id && x.completeness).map((x) => x.completeness!.relativeGap));
      return gaps.length ? [[m.id, { median: median(gaps) ?? 0, max: Math.max(...gaps) }]] : [];
    })),
    mapsComputed: timings.computed,
    mapsReused: job.mapsReused,
    seconds: seconds(job),
  };
}

export function trainSummary(job: JobRecord, items: readonly ItemRecord[]): TrainJobSummary {
  const [out] = outputs(items, (v) => TrainItemOutputSchema.safeParse(v));
  const result = out ? (({ kind: _k, model: _m, ...rest }) => rest)(out) : null;
  return { kind: 'train', jobId: job.id, state: job.state, result, modelId: job.state === 'done' ? job.modelId : null, backend: job.provenance?.backend ?? null };
}
