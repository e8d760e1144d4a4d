// Jobs: a spec validated at run time (unknown fields and names refused before anything is queued), its model and
// dataset resolved to records, split into items, and queued; and the user's verbs on queued jobs.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseJobSpec, type ExplainSpec, type MetricsSpec, type SanitySpec, type JobInputs, type JobSpec, type TrainSpec } from '../../shared/job-spec';
import {
  ListJobsInputSchema,
  RecordIdSchema,
  SubmitJobInputSchema,
  type AddDatasetResult,
  type AddModelResult,
  type JobDetails,
  type ListJobsInput,
  type ServiceEvent,
  type SubmitJobInput,
  type SubmitJobResult,
} from '../../shared/service-api';
import type { JobRecord } from '../../shared/store-types';
import { knownArchitectures, knownMethodIds } from '../jobs/engine-inputs';
import { metricNames } from '../jobs/metrics-results';
import { sampledImageItems } from '../jobs/plan-items';
import { cancelJob, enqueueJob, pauseJob, removeJob, resumeJob, retryJob } from '../jobs/queue';
import { countItems } from '../store/items-repo';
import { addJobEvent, listJobEvents } from '../store/job-events-repo';
import { listJobs, requireJob } from '../store/jobs-repo';
import type { PlannedItem } from '../store/items-repo';
import type { Store } from '../store/store';
import type { DatasetsApi } from './datasets';
import { resolveDatasetRef, resolveModelRef } from './input-refs';
import type { ModelsApi } from './models';
import type { ResultsApi } from './results';
import { checkLabelsInRange } from './label-range';
import { checkModelOutputFolder, checkOutputFolder } from './output-paths';
import { guarded, parseInput, ServiceError } from './service-error';
import { jobRateOf } from './job-rates';

/** How many of a job's log events `show` returns (the newest). */
const SHOWN_EVENTS = 50;

export class JobsApi {
  constructor(
    private readonly store: Store,
    private readonly datasets: DatasetsApi,
    private readonly models: ModelsApi,
    private readonly results: ResultsApi,
    private readonly emit: (event: ServiceEvent) => void,
  ) {}

  /** Validates the spec, registers the folders it names, plans its items and queues it. */
  submit(input: SubmitJobInput): Promise<SubmitJobResult> {
    return guarded(async () => {
      const { spec: raw, priority } = parseInput(SubmitJobInputSchema, input, 'job submission');
      await refuseUnknownNames(raw);
      const spec = parseJobSpec(raw, { methods: await knownMethodIds() });
      let submitted: SubmitJobResult;
      if (spec.kind === 'explain') submitted = await this.submitExplain(spec, priority);
      else if (spec.kind === 'train') submitted = await this.submitTrain(spec, priority);
      else if (spec.kind === 'metrics') submitted = await this.submitMetrics(spec, priority);
      else if (spec.kind === 'sanity') submitted = await this.submitSanity(spec, priority);
      else throw new ServiceError('unsupported', `${(spec as { kind: string }).kind} jobs cannot be submitted through the service yet.`);
      this.emit({ type: 'job-queued', jobId: submitted.job.id });
      return submitted;
    });
  }

  private async submitExplain(spec: ExplainSpec, priority: number | undefined): Promise<SubmitJobResult> {
    const dataset = await resolveDatasetRef(this.store, this.datasets, spec.dataset);
    const model = await resolveModelRef(this.store, this.models, spec.model);
    const items = sampledImageItems(this.store, dataset.dataset, { perClass: spec.perClass, limit: spec.limit });
    if (items.length === 0) throw new ServiceError('invalid-input', `No images to explain: dataset ${dataset.dataset.id} (${dataset.dataset.root}) has none in the selection.`);
    const resolved: ExplainSpec = {
      ...spec,
      model: String(model.model.id),
      dataset: String(dataset.dataset.id),
      ...(spec.export ? { export: { ...spec.export, npy: absolute(spec.export.npy), png: absolute(spec.export.png) } } : {}),
    };
    if (resolved.export?.npy) checkOutputFolder(resolved.export.npy, '--npy');
    if (resolved.export?.png) checkOutputFolder(resolved.export.png, '--png');
    return this.enqueue(resolved, items, priority, dataset, model);
  }

  private async submitMetrics(spec: MetricsSpec, priority: number | undefined): Promise<SubmitJobResult> {
    const known = await metricNames();
    const metrics: string[] = [];
    for (const id of spec.metrics.flatMap((m) => known.groups[m] ?? [m])) {
      if (!known.ids.includes(id)) throw new ServiceError('invalid-input', `Unknown metric "${id}".`, `Use one of: ${[...known.ids, ...Object.keys(known.groups)].join(', ')}.`);
      if (!metrics.includes(id)) metrics.push(id);
    }
    const names = new Set<string>();
    for (const v of spec.variants ?? []) {
      if (names.has(v.name)) throw new ServiceError('invalid-input', `Two configurations are named "${v.name}".`, 'Give each configuration its own name.');
      names.add(v.name);
      if (!spec.methods.includes(v.method)) throw new ServiceError('invalid-input', `Configuration "${v.name}" uses method ${v.method}, which the spec's methods do not list.`);
    }
    const dataset = await resolveDatasetRef(this.store, this.datasets, spec.dataset);
    const model = await resolveModelRef(this.store, this.models, spec.model);
    const items = sampledImageItems(this.store, dataset.dataset, { perClass: spec.perClass, limit: spec.limit });
    if (items.length === 0) throw new ServiceError('invalid-input', `No images to score: dataset ${dataset.dataset.id} (${dataset.dataset.root}) has none in the selection.`);
    const masked = metrics.filter((m) => known.needsMask.includes(m));
    if (masked.length && !items.some((i) => (i.payload as { maskPath?: unknown }).maskPath)) {
      throw new ServiceError('invalid-input', `The segmentation metrics (${masked.join(', ')}) need ground-truth masks, and dataset ${dataset.dataset.id} (${dataset.dataset.root}) has none for these images.`,
        'Put masks in a masks/ folder mirroring the image paths, or leave out pa, miou, map, mf1 (seg).');
    }
    const resolved: MetricsSpec = { ...spec, metrics, model: String(model.model.id), dataset: String(dataset.dataset.id), seed: spec.seed ?? 0 };
    return this.enqueue(resolved, items, priority, dataset, model);
  }

  private async submitTrain(spec: TrainSpec, priority: number | undefined): Promise<SubmitJobResult> {
    const dataset = await resolveDatasetRef(this.store, this.datasets, spec.dataset);
    const resolved: TrainSpec = { ...spec, dataset: String(dataset.dataset.id), out: resolve(spec.out) };
    if (dirname(resolved.out) === this.modelsFolder()) this.makeModelsFolder(); // the window's default place for models
    checkModelOutputFolder(resolved.out, '--out', spec.overwrite === true);
    return this.enqueue(resolved, [{ key: 'train', payload: {} }], priority, dataset, null);
  }

  /** A sanity job: one item per image (all randomization steps), after a "train-pair" item when it trains its own models. */
  private async submitSanity(spec: SanitySpec, priority: number | undefined): Promise<SubmitJobResult> {
    const dataset = await resolveDatasetRef(this.store, this.datasets, spec.dataset);
    const model = spec.model === undefined ? null : await resolveModelRef(this.store, this.models, spec.model);
    const randomModel = spec.randomModel === undefined ? null : await resolveModelRef(this.store, this.models, spec.randomModel);
    const items = sampledImageItems(this.store, dataset.dataset, { perClass: spec.perClass, limit: spec.limit });
    if (items.length === 0) throw new ServiceError('invalid-input', `No images to test: dataset ${dataset.dataset.id} (${dataset.dataset.root}) has none in the selection.`);
    let train = spec.train;
    let trainInputs = {};
    if (train) {
      const trainData = await resolveDatasetRef(this.store, this.datasets, train.dataset);
      const root = trainData.dataset.root;
      // Default folder: beside the database, named by what decides the models, so the same request writes the same place.
      const recipe = createHash('sha256').update(JSON.stringify({ ...train, dataset: trainData.dataset.contentHash, seed: spec.seed })).digest('hex').slice(0, 12);
      if (train.out === undefined) this.makeModelsFolder();
      train = { ...train, dataset: root, out: resolve(train.out ?? join(this.modelsFolder(), `sanity-pair-${recipe}`)) };
      // Its hash lets a fleet worker without the folder fetch it from the coordinator.
      trainInputs = { trainDataset: { id: trainData.dataset.id, root, hash: trainData.dataset.contentHash } };
      // The same recipe writes the same folder on purpose (its models are trained again, identically): no overwrite check.
      checkOutputFolder(train.out!, '--train-out');
      items.unshift({ key: 'train-pair', payload: {} });
    }
    const resolved: SanitySpec = {
      ...spec,
      dataset: String(dataset.dataset.id),
      ...(model ? { model: String(model.model.id) } : {}),
      ...(randomModel ? { randomModel: String(randomModel.model.id) } : {}),
      ...(train ? { train } : {}),
      ...(spec.export ? { export: { npy: resolve(spec.export.npy) } } : {}),
    };
    if (resolved.export) checkOutputFolder(resolved.export.npy, '--npy');
    const submitted = this.enqueue(resolved, items, priority, dataset, model, {
      ...trainInputs,
      ...(randomModel ? { randomModel: { id: randomModel.model.id, path: randomModel.model.path, hash: randomModel.model.contentHash } } : {}),
    });
    return submitted;
  }

  /** The workbench's own folder for trained models, beside the database (the window's default train folder). */
  private modelsFolder(): string {
    return join(dirname(resolve(this.store.path)), 'models');
  }

  /** Made on first use: it is the workbench's folder, not one the user named, and the database's folder exists. */
  private makeModelsFolder(): void {
    mkdirSync(this.modelsFolder(), { recursive: true });
  }

  private enqueue(spec: JobSpec, items: PlannedItem[], priority: number | undefined, dataset: AddDatasetResult, model: AddModelResult | null,
    extraInputs: Record<string, unknown> = {}): SubmitJobResult {
    const inputs: JobInputs = {
      ...extraInputs,
      dataset: { id: dataset.dataset.id, root: dataset.dataset.root, hash: dataset.dataset.contentHash },
      ...(model ? { model: { id: model.model.id, path: model.model.path, hash: model.model.contentHash } } : {}),
    };
    // A train job's model is built for the dataset's classes: only a given model can disagree with the labels.
    const labelWarning = model ? checkLabelsInRange(items, model.model, dataset.dataset) : null;
    const job = enqueueJob(this.store, { spec, items, inputs, priority, modelId: model?.model.id ?? null, datasetId: dataset.dataset.id });
    addJobEvent(this.store, job.id, 'info', `queued: ${items.length} item(s) of dataset ${dataset.dataset.id} (${dataset.dataset.root})` +
      (model ? `, model ${model.model.id} (${model.model.path})` : ''));
    if (labelWarning) addJobEvent(this.store, job.id, 'warn', labelWarning);
    return { job, dataset, model };
  }

  list(input?: ListJobsInput): Promise<JobRecord[]> {
    return guarded(() => {
      const filter = parseInput(ListJobsInputSchema, input, 'job list filter');
      return listJobs(this.store, { states: filter?.states, limit: filter?.limit });
    });
  }

  show(id: number): Promise<JobDetails> {
    return guarded(async () => {
      const job = requireJob(this.store, parseInput(RecordIdSchema, id, 'job id'));
      return { job, items: countItems(this.store, job.id), events: listJobEvents(this.store, job.id, SHOWN_EVENTS), summary: await this.results.summary(job.id),
        rate: jobRateOf(this.store, job.id) };
    });
  }

  get(id: number): Promise<JobRecord> {
    return guarded(() => requireJob(this.store, parseInput(RecordIdSchema, id, 'job id')));
  }

  pause(id: number): Promise<JobRecord> {
    return this.act(id, pauseJob);
  }

  resume(id: number): Promise<JobRecord> {
    return this.act(id, resumeJob);
  }

  cancel(id: number): Promise<JobRecord> {
    return this.act(id, cancelJob);
  }

  retry(id: number): Promise<JobRecord> {
    return this.act(id, retryJob);
  }

  /** Deletes the job, its items and results, and the maps no other job uses. */
  remove(id: number): Promise<{ mapsDeleted: number }> {
    return guarded(() => removeJob(this.store, parseInput(RecordIdSchema, id, 'job id')));
  }

  /** The states each verb accepts live in shared/job-state.ts and are enforced by the queue. */
  private act(id: number, apply: (store: Store, id: number) => JobRecord): Promise<JobRecord> {
    return guarded(() => apply(this.store, parseInput(RecordIdSchema, id, 'job id')));
  }
}

function absolute(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

/**
 * Unknown method and architecture names get the engine's own sentence (with the known names), before the generic
 * spec check: a typo in a name is the commonest bad value.
 */
async function refuseUnknownNames(raw: unknown): Promise<void> {
  if (typeof raw !== 'object' || raw === null) return;
  const spec = raw as { kind?: unknown; methods?: unknown; arch?: unknown };
  if (Array.isArray(spec.methods)) {
    const known = await knownMethodIds();
    const unknown = spec.methods.find((m) => typeof m === 'string' && !known.includes(m));
    if (typeof unknown === 'string') throw new ServiceError('invalid-input', `Unknown method "${unknown}".`, `Use one of: ${known.join(', ')}.`);
  }
  if (spec.kind === 'train' && typeof spec.arch === 'string') {
    const known = await knownArchitectures();
    if (!known.includes(spec.arch)) throw new ServiceError('invalid-input', `Unknown architecture "${spec.arch}".`, `Use one of: ${known.join(', ')}.`);
  }
}
