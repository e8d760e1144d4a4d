// The API of shared/api.ts over the service, for both transports: the web server (HTTP) and the Electron main
// process (IPC). Every input is validated here with the contract's schema before the service sees it; every failure
// is a ServiceError the transport maps to its own error (an HTTP status, a rejected invoke).
import { dirname, join } from 'node:path';
import { API_CALLS, API_FILES, type ApiCallName, type ApiFile, type ApiFileName, type ApiOutputs, type AppInfo, type MapEntry } from '../../shared/api';
import { COLORMAP_NAMES } from '../../shared/colormap';
import { JOB_KINDS, type JobKind } from '../../shared/job-spec';
import { ExplainItemOutputSchema } from '../../shared/job-outputs';
import { APP_VERSION } from '../jobs/app-version';
import { knownArchitectures, knownMethodIds } from '../jobs/engine-inputs';
import { getImage, listImages, requireDataset } from '../store/datasets-repo';
import { listItems } from '../store/items-repo';
import { requireJob } from '../store/jobs-repo';
import { listJobMaps } from '../store/maps-repo';
import { listScores } from '../store/scores-repo';
import { listSimilarities } from '../store/similarities-repo';
import { estimateJob } from './job-estimate';
import { jobCharts } from './result-charts';
import { chartFigure, imageFile, mapGridFigure, mapPngFile, mapRawFile, summaryTable } from './result-files';
import type { WorkbenchService } from './service';
import { guarded, parseInput, ServiceError } from './service-error';

export interface WorkbenchApiOptions {
  mode: AppInfo['mode'];
}

type Handlers = { [N in ApiCallName]: (input: any) => Promise<ApiOutputs[N]> | ApiOutputs[N] };

export class WorkbenchApi {
  private jobKinds: Promise<JobKind[]> | null = null;
  private readonly handlers: Handlers;

  constructor(
    readonly service: WorkbenchService,
    private readonly options: WorkbenchApiOptions,
  ) {
    const s = service;
    this.handlers = {
      'app.info': () => this.info(),
      'datasets.list': () => s.datasets.list(),
      'datasets.add': (i) => s.datasets.add(i),
      'datasets.show': (i) => s.datasets.show(i.id),
      'datasets.images': (i) => datasetImages(s, i),
      'datasets.remove': async (i) => (await s.datasets.remove(i.id), { removed: i.id }),
      'models.list': () => s.models.list(),
      'models.add': (i) => s.models.add(i),
      'models.show': (i) => s.models.show(i.id),
      'models.remove': async (i) => (await s.models.remove(i.id), { removed: i.id }),
      'jobs.submit': (i) => s.jobs.submit(i),
      'jobs.estimate': (i) => estimateJob(s, i.spec),
      'jobs.list': (i) => s.jobs.list(i),
      'jobs.show': (i) => s.jobs.show(i.id),
      'jobs.control': async (i) => {
        if (i.action === 'rm') return (await s.jobs.remove(i.id), { job: null, removed: true });
        const job = await s.jobs[i.action as 'pause' | 'resume' | 'cancel' | 'retry'](i.id);
        return { job, removed: false };
      },
      'results.maps': (i) => jobMapEntries(s, i),
      'results.summary': (i) => s.results.summary(i.jobId),
      'results.charts': (i) => (requireJob(s.store, i.jobId), jobCharts(s, i.jobId)),
      'results.similarities': (i) => (requireJob(s.store, i.jobId), listSimilarities(s.store, { jobId: i.jobId })),
      'results.scores': (i) => (requireJob(s.store, i.jobId), listScores(s.store, { jobId: i.jobId })),
    };
  }

  /** A JSON call: validated, run, answered; throws a ServiceError. */
  call<N extends ApiCallName>(name: N, input: unknown): Promise<ApiOutputs[N]>;
  call(name: string, input: unknown): Promise<unknown>;
  call(name: string, input: unknown): Promise<unknown> {
    return guarded(async () => {
      if (!Object.hasOwn(API_CALLS, name)) throw new ServiceError('not-found', `No API call "${name}".`, `Known calls: ${Object.keys(API_CALLS).join(', ')}.`);
      const n = name as ApiCallName;
      const parsed = parseInput(API_CALLS[n] as never, input ?? {}, `input of ${name}`);
      return this.handlers[n](parsed);
    });
  }

  /** A file call: validated, run, answered as bytes with a MIME type and a file name. */
  file(name: string, input: unknown): Promise<ApiFile> {
    return guarded(async () => {
      if (!Object.hasOwn(API_FILES, name)) throw new ServiceError('not-found', `No API file "${name}".`, `Known files: ${Object.keys(API_FILES).join(', ')}.`);
      const n = name as ApiFileName;
      const i = parseInput(API_FILES[n] as never, input ?? {}, `input of ${name}`) as any;
      switch (n) {
        case 'image':
          return imageFile(this.service, i);
        case 'map.raw':
          return mapRawFile(this.service, i.key);
        case 'map.png':
          return mapPngFile(this.service, i);
        case 'export.chart':
          return chartFigure(this.service, i);
        case 'export.maps':
          requireJob(this.service.store, i.jobId);
          return mapGridFigure(this.service, i);
        case 'export.table':
          requireJob(this.service.store, i.jobId);
          return summaryTable(this.service, i);
      }
    });
  }

  private async info(): Promise<AppInfo> {
    const [methods, architectures, jobKinds] = await Promise.all([knownMethodIds(), knownArchitectures(), this.submittableKinds()]);
    return {
      version: APP_VERSION,
      mode: this.options.mode,
      dbPath: this.service.storePath,
      methods,
      architectures,
      jobKinds,
      sanityTests: ['cascading', 'independent', 'data'],
      colormaps: [...COLORMAP_NAMES],
      modelsFolder: join(dirname(this.service.storePath), 'models'),
    };
  }

  /**
   * Which kinds the service queues. It refuses a kind it cannot run yet with 'unsupported' before it looks at the
   * spec's inputs, so a spec naming records that cannot exist tells, without side effects: 'unsupported' = not yet,
   * anything else (no such model) = supported.
   */
  private submittableKinds(): Promise<JobKind[]> {
    this.jobKinds ??= (async () => {
      const [method] = await knownMethodIds();
      const none = String(2 ** 31 - 1);
      const probes: Record<JobKind, unknown> = {
        explain: null,
        train: null,
        sanity: { kind: 'sanity', model: none, dataset: none, test: 'cascading', methods: [method] },
        metrics: { kind: 'metrics', model: none, dataset: none, methods: [method], metrics: ['ins'] },
      };
      const kinds: JobKind[] = [];
      for (const kind of JOB_KINDS) {
        if (probes[kind] === null) {
          kinds.push(kind);
          continue;
        }
        try {
          await this.service.jobs.submit({ spec: probes[kind] });
          kinds.push(kind); // Cannot happen (no such records); if it did, the kind runs.
        } catch (err) {
          if (!(err instanceof ServiceError && err.code === 'unsupported')) kinds.push(kind);
        }
      }
      return kinds;
    })();
    return this.jobKinds;
  }
}

function datasetImages(service: WorkbenchService, input: { id: number; className?: string; limit?: number; offset?: number }) {
  requireDataset(service.store, input.id);
  const all = listImages(service.store, input.id);
  const filtered = input.className === undefined ? all : all.filter((im) => im.className === input.className);
  const offset = input.offset ?? 0;
  return filtered.slice(offset, offset + (input.limit ?? 60));
}

function jobMapEntries(service: WorkbenchService, input: { jobId: number; method?: string; className?: string; limit?: number; offset?: number }): MapEntry[] {
  requireJob(service.store, input.jobId);
  const targets = new Map<string, number>();
  for (const item of listItems(service.store, input.jobId, { state: 'done' })) {
    const out = ExplainItemOutputSchema.safeParse(item.output);
    if (out.success && out.data.kind === 'image') targets.set(item.key, out.data.targetClass);
  }
  const images = new Map<number, MapEntry['image']>();
  const imageOf = (id: number | null): MapEntry['image'] => {
    if (id === null) return null;
    if (!images.has(id)) {
      const im = getImage(service.store, id);
      images.set(id, im ? { id: im.id, relPath: im.relPath, className: im.className, label: im.label } : null);
    }
    return images.get(id) ?? null;
  };
  const entries = listJobMaps(service.store, input.jobId)
    .filter((m) => input.method === undefined || m.method === input.method)
    .map((m) => ({
      key: m.key,
      method: m.method,
      methodVersion: m.methodVersion,
      itemKey: m.itemKey,
      reused: m.reused,
      height: m.height,
      width: m.width,
      sourceHeight: m.sourceHeight,
      sourceWidth: m.sourceWidth,
      minValue: m.minValue,
      maxValue: m.maxValue,
      targetClass: targets.get(m.itemKey) ?? m.provenance.targetClass,
      image: imageOf(m.imageId),
    }))
    .filter((m) => input.className === undefined || m.image?.className === input.className);
  const offset = input.offset ?? 0;
  return entries.slice(offset, input.limit === undefined ? undefined : offset + input.limit);
}
