// Figures and tables of a job as files, for `dixw export` (and any caller of the service): the sanity curves and the
// data-randomization box plot drawn from the same chart data as the app (result-charts.ts, shared/charts), a strip
// of maps per randomization step for chosen images (main/figures/map-grid.ts), and a job's table in any of the
// table formats through the registry of table builders keyed by job kind (tables/registry.ts).
import type { ApiFile } from '../../shared/api';
import type { FigureFormat } from '../../shared/api-charts';
import type { ColormapName } from '../../shared/colormap';
import type { SanityJobSummary } from '../../shared/service-api';
import { getImage } from '../store/datasets-repo';
import { requireJob } from '../store/jobs-repo';
import { listJobMaps, readMap } from '../store/maps-repo';
import { chartFigure, summaryTable } from './result-files';
import { jobCharts } from './result-charts';
import type { WorkbenchService } from './service';
import { ServiceError } from './service-error';
import { tableBuilder } from './tables/registry';
import { formatTable, TABLE_EXTENSION, TABLE_MIME, type TableFileFormat } from './tables/table-format';

export const SANITY_FIGURE_KINDS = ['cascading', 'independent', 'data-randomization', 'map-strip'] as const;
export type SanityFigureKind = (typeof SANITY_FIGURE_KINDS)[number];

export interface SanityFigureInput {
  jobId: number;
  kind: SanityFigureKind;
  /** Curves: the similarity measure (default spearman-abs). */
  measure?: string;
  /** Map strip: image paths relative to the dataset root (default: the first two with stored maps). */
  images?: string[];
  /** Map strip: methods (default all). */
  methods?: string[];
  format: FigureFormat;
  dpi: number;
  colormap?: ColormapName;
}

export async function sanityFigure(service: WorkbenchService, input: SanityFigureInput): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  if (job.kind !== 'sanity') throw new ServiceError('invalid-input', `Job ${job.id} is a ${job.kind} job; sanity figures come from sanity jobs.`);
  const test = (job.spec as { test: string }).test;
  if (input.kind === 'map-strip') return mapStrip(service, input);
  const wanted = input.kind === 'data-randomization' ? 'data' : input.kind;
  if (wanted !== test) throw new ServiceError('invalid-input', `Job ${job.id} ran the ${test} test; it has no ${input.kind} figure.`, `Use --kind ${test === 'data' ? 'data-randomization' : test} or map-strip.`);
  const chartId = test === 'data' ? 'sanity-data' : `sanity-${test}-${input.measure ?? 'spearman-abs'}`;
  if (test !== 'data' && !(await jobCharts(service, job.id)).some((c) => c.id === chartId)) {
    const measures = (await jobCharts(service, job.id)).filter((c) => c.id.startsWith(`sanity-${test}-`)).map((c) => c.id.slice(`sanity-${test}-`.length));
    throw new ServiceError('not-found', `Job ${job.id} has no similarities under "${input.measure}".`, `Measures of this job: ${measures.join(', ') || 'none yet'}.`);
  }
  return chartFigure(service, { jobId: job.id, chartId, format: input.format, dpi: input.dpi });
}

async function mapStrip(service: WorkbenchService, input: SanityFigureInput): Promise<ApiFile> {
  const summary = (await service.results.summary(input.jobId)) as SanityJobSummary;
  const all = listJobMaps(service.store, input.jobId);
  if (all.length === 0) throw new ServiceError('not-found', `Job ${input.jobId} stored no maps.`, 'Run the sanity test with --keep-maps N (the maps of the first N images are stored).');
  const relPath = (id: number | null) => (id === null ? null : (getImage(service.store, id)?.relPath ?? null));
  const available = [...new Set(all.map((m) => relPath(m.imageId)).filter((p): p is string => p !== null))];
  const images = input.images ?? available.slice(0, 2);
  for (const im of images) if (!available.includes(im)) throw new ServiceError('not-found', `Job ${input.jobId} has no stored maps of "${im}".`, `Images with maps: ${available.join(', ')}.`);
  const methods = input.methods ?? summary.methods;
  const trainedHash = summary.model?.hash;
  const stepOf = (p: { params: Record<string, unknown>; modelHash: string }) => {
    const r = p.params.randomization as { step?: number } | undefined;
    return typeof r?.step === 'number' ? r.step : p.modelHash === trainedHash ? 0 : 1;
  };
  const rows = [];
  for (const image of images) {
    for (const method of methods) {
      const cells = summary.steps.map(() => null as null | { map: Float32Array; height: number; width: number });
      for (const m of all.filter((x) => x.method === method && relPath(x.imageId) === image)) {
        const read = readMap(service.store, m.key);
        if (!read) continue;
        const idx = summary.steps.findIndex((s) => s.step === stepOf(read.record.provenance));
        if (idx >= 0) cells[idx] = { map: Float32Array.from(read.map.values), height: read.map.height, width: read.map.width };
      }
      rows.push({ label: `${image} ${method}`, cells });
    }
  }
  const { renderMapGrid } = await import('../figures/map-grid');
  const bytes = renderMapGrid({ title: `Job ${input.jobId}: ${summary.test} randomization, maps per step`, columnLabels: summary.steps.map((s) => s.label), rows,
    colormap: input.colormap ?? 'jet', opacity: 1 }, { format: input.format, dpi: input.dpi });
  return { mime: { png: 'image/png', svg: 'image/svg+xml', pdf: 'application/pdf' }[input.format], filename: `job${input.jobId}-map-strip.${input.format}`,
    bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** A job's table: the kind's builder from the registry, else (explain, train) the summary table as CSV or LaTeX. */
export async function jobTable(service: WorkbenchService, input: { jobId: number; format: TableFileFormat }): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  const build = tableBuilder(job.kind);
  if (!build) {
    if (input.format === 'csv' || input.format === 'latex') return summaryTable(service, { jobId: job.id, format: input.format === 'latex' ? 'tex' : 'csv' });
    throw new ServiceError('unsupported', `Tables of ${job.kind} jobs come as csv or latex only.`);
  }
  const table = await build(service, job);
  const text = table.formatted?.[input.format] ?? formatTable(table, input.format);
  return { mime: TABLE_MIME[input.format], filename: `job${job.id}-${job.kind}.${TABLE_EXTENSION[input.format]}`, bytes: new TextEncoder().encode(text) };
}
