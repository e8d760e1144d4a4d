// A sanity job's summary from the store: its steps, per-step summaries of the similarities committed so far (mean,
// std, 95% bootstrap interval per step, method and measure, computed by the engine's step-summaries through the
// jobs layer), the trained pair when the job trained its own models, and what was skipped.
import { SanityItemOutputSchema, type SanityItemOutput } from '../../shared/job-outputs';
import type { SanitySpec } from '../../shared/job-spec';
import type { SanityJobSummary } from '../../shared/service-api';
import type { JobRecord, SimilarityRecord } from '../../shared/store-types';
import { summarizeSimilarities } from '../jobs/sanity-summaries';
import { listItems } from '../store/items-repo';
import { listSimilarities } from '../store/similarities-repo';
import type { Store } from '../store/store';
import { median } from './job-summaries';

export function sanityStepsOf(rows: readonly SimilarityRecord[], outputs: readonly SanityItemOutput[]): SanityJobSummary['steps'] {
  const steps = new Map<number, { step: number; label: string; layers: string[] }>();
  for (const o of outputs) {
    if (o.kind !== 'image') continue;
    for (const s of o.steps) if (!steps.has(s.step)) steps.set(s.step, { step: s.step, label: s.label, layers: [] });
  }
  for (const r of rows) {
    const st = steps.get(r.step);
    const layers = (r.provenance.params as { layers?: unknown }).layers;
    if (st && st.layers.length === 0 && Array.isArray(layers)) st.layers = layers.filter((l): l is string => typeof l === 'string');
  }
  return [...steps.values()].sort((a, b) => a.step - b.step);
}

export function sanitySummary(store: Store, job: JobRecord): SanityJobSummary {
  const spec = job.spec as SanitySpec;
  const outputs = listItems(store, job.id).filter((i) => i.state === 'done').flatMap((i) => {
    const r = SanityItemOutputSchema.safeParse(i.output);
    return r.success ? [r.data] : [];
  });
  const rows = listSimilarities(store, { jobId: job.id });
  const steps = sanityStepsOf(rows, outputs);
  const images = outputs.filter((o) => o.kind === 'image');
  const pair = outputs.find((o) => o.kind === 'trained-pair') ?? null;
  const millis = images.flatMap((o) => o.steps.map((s) => s.millis));
  return {
    kind: 'sanity',
    jobId: job.id,
    state: job.state,
    test: spec.test,
    model: job.inputs.model ? { path: job.inputs.model.path, hash: job.inputs.model.hash } : pair ? { path: pair.trueLabels.path, hash: pair.trueLabels.hash } : null,
    dataset: { path: job.inputs.dataset?.root ?? '', hash: job.inputs.dataset?.hash ?? '', images: images.length },
    methods: spec.methods,
    measures: [...new Set(rows.map((r) => r.measure))],
    seed: spec.seed,
    steps,
    summaries: summarizeSimilarities(rows, new Map(steps.map((s) => [s.step, s.label])), spec.seed),
    trainedPair: pair,
    skipped: outputs.flatMap((o) => (o.kind === 'skipped' ? [{ image: o.image, reason: o.reason }] : [])),
    medianMillisPerStep: median(millis),
    backend: job.provenance?.backend ?? null,
    seconds: job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null,
  };
}
