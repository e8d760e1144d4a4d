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
import { fleetPanel } from './fleet-panel';
import { jobRateOf } from './job-rates';
import { metricCurvesFigure } from './figures/metric-curves-figure';
import { comparisonFigure } from './figures/map-figures';
import { parseFigureSize } from '../../shared/charts/figure-style';
import { METRIC_CURVE_CHART_PREFIX, metricCurveCharts } from './metric-curve-charts';
import { jobCharts } from './result-charts';
import { chartFigure, imageFile, mapGridFigure, mapPngFile, mapRawFile, summaryTable } from './result-files';
import type { WorkbenchService } from './service';
import { guarded, parseInput, ServiceError } from './service-error';

export interface WorkbenchApiOptions {
  mode: AppInfo['mode'];
}

type Handlers = { [N in ApiCallName]: (input: any) => Promise<ApiOutputs[N]> | ApiOutputs[N] };

export class WorkbenchApi {
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
      'jobs.rates': (i) => i.ids.map((id: number) => jobRateOf(s.store, id)),
      'jobs.control': async (i) => {
        if (i.action === 'rm') return (await s.jobs.remove(i.id), { job: null, removed: true });
        const job = await s.jobs[i.action as 'pause' | 'resume' | 'cancel' | 'retry'](i.id);
        return { job, removed: false };
      },
      'results.maps': async (i) => jobMapEntries(s, i, await sanityTrainedHash(s, i.jobId)),
      'results.summary': (i) => s.results.summary(i.jobId),
      'results.charts': (i) => resultCharts(s, i.jobId),
      'results.similarities': (i) => (requireJob(s.store, i.jobId), listSimilarities(s.store, { jobId: i.jobId })),
      'results.scores': (i) => (requireJob(s.store, i.jobId), listScores(s.store, { jobId: i.jobId })),
      'fleet.status': () => fleetPanel(s),
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
        case 'export.chart': {
          const size = i.size ? parseFigureSize(i.size) : undefined;
          if (i.chartId.startsWith(METRIC_CURVE_CHART_PREFIX) && requireJob(this.service.store, i.jobId).kind === 'metrics') {
            return metricCurvesFigure(this.service, { jobId: i.jobId, metric: i.chartId.slice(METRIC_CURVE_CHART_PREFIX.length), format: i.format, dpi: i.dpi, size, title: i.title });
          }
          return chartFigure(this.service, { ...i, size });
        }
        case 'export.maps':
          requireJob(this.service.store, i.jobId);
          return mapGridFigure(this.service, { ...i, size: i.size ? parseFigureSize(i.size) : undefined });
        case 'export.comparison':
          requireJob(this.service.store, i.jobId);
          return comparisonFigure(this.service, { ...i, size: i.size ? parseFigureSize(i.size) : undefined });
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

  /** Which kinds the service queues: every kind of shared/job-spec.ts (jobs.submit runs explain, train, sanity and metrics). */
  private submittableKinds(): Promise<JobKind[]> {
    return Promise.resolve([...JOB_KINDS]);
  }
}

/** The job's charts; for a metrics job also its curve charts (NEG/POS/INS/DEL/SIC/AIC). */
async function resultCharts(service: WorkbenchService, jobId: number) {
  const job = requireJob(service.store, jobId);
  const charts = await jobCharts(service, jobId);
  if (job.kind !== 'metrics') return charts;
  const summary = await service.results.summary(jobId);
  return summary?.kind === 'metrics' && summary.images > 0 ? [...charts, ...metricCurveCharts(summary)] : charts;
}

/** A sanity job's trained-model hash (its step-0 maps; the data test's step-1 maps come from the random-label model). */
async function sanityTrainedHash(service: WorkbenchService, jobId: number): Promise<string | null | undefined> {
  if (requireJob(service.store, jobId).kind !== 'sanity') return undefined;
  const summary = await service.results.summary(jobId);
  return summary?.kind === 'sanity' ? (summary.model?.hash ?? null) : null;
}

/** The randomization step of a sanity job's map (as job-exports.ts reads it); null outside sanity jobs. */
function stepOf(provenance: { params: Record<string, unknown>; modelHash: string }, trainedHash: string | null | undefined): number | null {
  if (trainedHash === undefined) return null;
  const r = provenance.params.randomization as { step?: unknown } | undefined;
  if (typeof r?.step === 'number') return r.step;
  return trainedHash === null || provenance.modelHash === trainedHash ? 0 : 1;
}

function datasetImages(service: WorkbenchService, input: { id: number; className?: string; limit?: number; offset?: number }) {
  requireDataset(service.store, input.id);
  const all = listImages(service.store, input.id);
  const filtered = input.className === undefined ? all : all.filter((im) => im.className === input.className);
  const offset = input.offset ?? 0;
  return filtered.slice(offset, offset + (input.limit ?? 60));
}

function jobMapEntries(service: WorkbenchService, input: { jobId: number; method?: string; className?: string; limit?: number; offset?: number },
  trainedHash?: string | null): MapEntry[] {
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
      step: stepOf(m.provenance as never, trainedHash),
      image: imageOf(m.imageId),
    }))
    .filter((m) => input.className === undefined || m.image?.className === input.className);
  const offset = input.offset ?? 0;
  return entries.slice(offset, input.limit === undefined ? undefined : offset + input.limit);
}
