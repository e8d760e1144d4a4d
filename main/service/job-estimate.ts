// How long a job will take, before it is queued: its item count from the same sampling the queue uses, times what
// earlier jobs on this database measured (median milliseconds per image and method; seconds per epoch and image).
import { resolve } from 'node:path';
import type { JobEstimate } from '../../shared/api';
import { parseJobSpec, type JobSpec } from '../../shared/job-spec';
import { knownMethodIds } from '../jobs/engine-inputs';
import { sampledImageItems } from '../jobs/plan-items';
import { findDatasetByRoot, getDataset } from '../store/datasets-repo';
import { listJobs } from '../store/jobs-repo';
import { asRecordId } from './input-refs';
import type { WorkbenchService } from './service';
import { ServiceError } from './service-error';

/** Earlier jobs looked at, newest first. */
const HISTORY = 50;

export async function estimateJob(service: WorkbenchService, raw: unknown): Promise<JobEstimate> {
  const spec = parseJobSpec(raw, { methods: await knownMethodIds() });
  const id = asRecordId(spec.dataset);
  const dataset = id !== null ? getDataset(service.store, id) : findDatasetByRoot(service.store, resolve(spec.dataset));
  if (!dataset) throw new ServiceError('not-found', `Dataset ${spec.dataset} is not registered yet; add it first to see an estimate.`);
  if (spec.kind === 'train') return estimateTrain(service, spec, dataset.imageCount);
  const items = sampledImageItems(service.store, dataset, { perClass: spec.perClass, limit: spec.limit }).length;
  if (spec.kind === 'sanity') return estimateSanity(service, spec, items);
  return estimateImages(service, spec, items);
}

async function estimateImages(service: WorkbenchService, spec: Exclude<JobSpec, { kind: 'train' }>, items: number): Promise<JobEstimate> {
  const known = new Map<string, number>();
  for (const job of listJobs(service.store, { states: ['done', 'running', 'paused', 'cancelled'], limit: HISTORY })) {
    if (job.kind !== 'explain') continue;
    const summary = await service.results.summary(job.id);
    if (summary?.kind !== 'explain') continue;
    for (const [method, ms] of Object.entries(summary.medianMillis)) if (ms !== null && !known.has(method)) known.set(method, ms);
  }
  const missing = spec.methods.filter((m) => !known.has(m));
  const perImage = spec.methods.reduce((s, m) => s + (known.get(m) ?? 0), 0);
  // A sanity job explains each image once per randomization step; the count of steps is the engine's, unknown here.
  if (spec.kind !== 'explain') return { items, seconds: null, basis: `${items} image(s); no estimate for ${spec.kind} jobs yet` };
  if (missing.length > 0) return { items, seconds: null, basis: `${items} image(s); no earlier timing of ${missing.join(', ')} on this database` };
  return { items, seconds: (items * perImage) / 1000, basis: `${items} image(s) x ${Math.round(perImage)} ms, the median per image of earlier jobs` };
}

/** A sanity job: its images times an earlier sanity job's median time per image and step (all its methods), times
 *  that job's number of steps, scaled by the number of methods; the same test on the same model if there is one. */
async function estimateSanity(service: WorkbenchService, spec: Extract<JobSpec, { kind: 'sanity' }>, items: number): Promise<JobEstimate> {
  const images = `${items} image(s)`;
  let fallback: { seconds: number; basis: string } | null = null;
  for (const job of listJobs(service.store, { states: ['done'], limit: HISTORY })) {
    if (job.spec.kind !== 'sanity' || job.spec.test !== spec.test) continue;
    const summary = await service.results.summary(job.id);
    if (summary?.kind !== 'sanity' || summary.medianMillisPerStep === null || summary.steps.length === 0) continue;
    const perMethod = summary.medianMillisPerStep / Math.max(1, summary.methods.length);
    const seconds = (items * summary.steps.length * perMethod * spec.methods.length) / 1000;
    const basis = `${images} x ${summary.steps.length} steps x ${Math.round(perMethod * spec.methods.length)} ms, timed from sanity job ${job.id}` +
      (spec.train ? '; training the two models comes on top' : '');
    if (spec.model !== undefined && job.spec.model === spec.model) return { items, seconds, basis };
    fallback ??= { seconds, basis: `${basis} (another model: a rough guide)` };
  }
  if (fallback) return { items, ...fallback };
  return { items, seconds: null, basis: `${images}; no ${spec.test} randomization test has run on this database yet` };
}

async function estimateTrain(service: WorkbenchService, spec: Extract<JobSpec, { kind: 'train' }>, images: number): Promise<JobEstimate> {
  const n = spec.limit !== undefined ? Math.min(spec.limit, images) : images;
  for (const job of listJobs(service.store, { states: ['done'], limit: HISTORY })) {
    if (job.spec.kind !== 'train' || job.spec.arch !== spec.arch || (job.spec.width ?? 1) !== (spec.width ?? 1)) continue;
    const summary = await service.results.summary(job.id);
    if (summary?.kind !== 'train' || !summary.result || summary.result.epochs.length === 0) continue;
    const r = summary.result;
    const perEpochImage = r.epochs.reduce((s, e) => s + e.seconds, 0) / r.epochs.length / Math.max(1, r.images);
    return { items: 1, seconds: perEpochImage * n * spec.epochs, basis: `${spec.epochs} epoch(s) of ${n} image(s), timed from job ${job.id} (${spec.arch})` };
  }
  return { items: 1, seconds: null, basis: `${spec.epochs} epoch(s) of ${n} image(s); no earlier ${spec.arch} training on this database` };
}
