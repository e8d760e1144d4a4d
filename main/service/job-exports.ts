// Figures and tables of a job as files, for `dixw export` (and any caller of the service): the sanity curves and the
// data-randomization box plot drawn from the same chart data as the app (result-charts.ts, shared/charts), a strip
// of maps per randomization step for chosen images (figures/map-figures.ts), and a job's table in any of the
// table formats through the registry of table builders keyed by job kind (tables/registry.ts).
import type { ApiFile } from '../../shared/api';
import type { FigureFormat } from '../../shared/api-charts';
import type { FigureSize } from '../../shared/charts/figure-style';
import type { ColormapName } from '../../shared/colormap';
import { aJob } from '../../shared/method-display';
import { requireJob } from '../store/jobs-repo';
import { mapStripFigure } from './figures/map-figures';
import { chartFigure } from './result-files';
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
  /** Map strip: the colormap (default jet). */
  colormap?: ColormapName;
  /** Map strip: the input image as the first column (default true). */
  inputColumn?: boolean;
  /** Map strip: the map over its image, 0 to 1 (default 1: the map alone). */
  opacity?: number;
  /** Paper size and font (default: the chart's own size; map strips: 96 px cells). */
  size?: FigureSize;
  /** A title above the figure (default none: the caption belongs to the paper). */
  title?: boolean;
}

export async function sanityFigure(service: WorkbenchService, input: SanityFigureInput): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  if (job.kind !== 'sanity') throw new ServiceError('invalid-input', `Job ${job.id} is ${aJob(job.kind)}; sanity figures come from sanity jobs.`);
  const test = (job.spec as { test: string }).test;
  if (input.kind === 'map-strip') {
    return mapStripFigure(service, { jobId: job.id, images: input.images, methods: input.methods, format: input.format, dpi: input.dpi,
      colormap: input.colormap, opacity: input.opacity, inputColumn: input.inputColumn, size: input.size, title: input.title });
  }
  const wanted = input.kind === 'data-randomization' ? 'data' : input.kind;
  if (wanted !== test) throw new ServiceError('invalid-input', `Job ${job.id} ran the ${test} test; it has no ${input.kind} figure.`, `Use --kind ${test === 'data' ? 'data-randomization' : test} or map-strip.`);
  const chartId = test === 'data' ? 'sanity-data' : `sanity-${test}-${input.measure ?? 'spearman-abs'}`;
  if (test !== 'data' && !(await jobCharts(service, job.id)).some((c) => c.id === chartId)) {
    const measures = (await jobCharts(service, job.id)).filter((c) => c.id.startsWith(`sanity-${test}-`)).map((c) => c.id.slice(`sanity-${test}-`.length));
    throw new ServiceError('not-found', `Job ${job.id} has no similarities under "${input.measure}".`, `Measures of this job: ${measures.join(', ') || 'none yet'}.`);
  }
  return chartFigure(service, { jobId: job.id, chartId, format: input.format, dpi: input.dpi, size: input.size, title: input.title });
}

/** A job's table: the kind's builder from the registry (tables/registry.ts), in any table format. */
export async function jobTable(service: WorkbenchService, input: { jobId: number; format: TableFileFormat }): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  const build = tableBuilder(job.kind);
  if (!build) throw new ServiceError('unsupported', `Job ${job.id} (${job.kind}) has no table.`);
  const table = await build(service, job);
  const text = table.formatted?.[input.format] ?? formatTable(table, input.format);
  return { mime: TABLE_MIME[input.format], filename: `job${job.id}-${job.kind}.${TABLE_EXTENSION[input.format]}`, bytes: new TextEncoder().encode(text) };
}
