// The API's file answers: a registered image (or its mask) as it is on disk, a stored map as float32 bytes or a
// colour-mapped PNG, and exported figures and tables. Figures are drawn by main/figures, the code the CLI uses.
// Only registered images are served: a path never comes from the caller.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ApiFile } from '../../shared/api';
import { chartConfig, type FigureFormat, type TableFormat } from '../../shared/api-charts';
import type { FigureSize } from '../../shared/charts/figure-style';
import type { ColormapName } from '../../shared/colormap';
import { getImage, requireDataset } from '../store/datasets-repo';
import { readMap } from '../store/maps-repo';
import { comparisonFigure, imageOnGrid } from './figures/map-figures';
import type { WorkbenchService } from './service';
import { jobCharts } from './result-charts';
import { requireJob } from '../store/jobs-repo';
import { tableBuilder } from './tables/registry';
import { formatTable, TABLE_EXTENSION, TABLE_MIME } from './tables/table-format';
import { ServiceError } from './service-error';

const IMAGE_MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };
const FIGURE_MIME: Record<FigureFormat, string> = { png: 'image/png', svg: 'image/svg+xml', pdf: 'application/pdf' };

function bytesOf(b: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The image's file, or its mask; absolute path and record. */
function imagePath(service: WorkbenchService, id: number, mask = false): { path: string; relPath: string } {
  const image = getImage(service.store, id);
  if (!image) throw new ServiceError('not-found', `No image ${id}.`);
  const rel = mask ? image.maskPath : image.relPath;
  if (rel === null) throw new ServiceError('not-found', `Image ${id} (${image.relPath}) has no mask.`);
  const root = requireDataset(service.store, image.datasetId).root;
  return { path: join(root, ...rel.split('/')), relPath: rel };
}

export function imageFile(service: WorkbenchService, input: { id: number; mask?: boolean }): ApiFile {
  const { path, relPath } = imagePath(service, input.id, input.mask);
  const mime = IMAGE_MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ServiceError('unusable-input', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, 'The dataset folder changed since it was added; add it again to re-index it.');
  }
  return { mime, filename: relPath.split('/').pop() ?? 'image', bytes: bytesOf(bytes) };
}

function requireMap(service: WorkbenchService, key: string) {
  const read = readMap(service.store, key);
  if (!read) throw new ServiceError('not-found', `No stored map ${key.slice(0, 12)}….`);
  return read;
}

export function mapRawFile(service: WorkbenchService, key: string): ApiFile {
  const { record, map } = requireMap(service, key);
  const values = Float32Array.from(map.values);
  return { mime: 'application/octet-stream', filename: `${record.method}-${key.slice(0, 12)}.f32`, bytes: new Uint8Array(values.buffer) };
}

export async function mapPngFile(service: WorkbenchService, input: { key: string; colormap: ColormapName; opacity: number }): Promise<ApiFile> {
  const { record, map } = requireMap(service, input.key);
  const [{ createCanvas }, { cellRgba }] = await Promise.all([import('@napi-rs/canvas'), import('../figures/map-grid')]);
  const image = input.opacity < 1 ? await imageOnGrid(service, record.imageId, map.height, map.width) : undefined;
  const canvas = createCanvas(map.width, map.height);
  const ctx = canvas.getContext('2d');
  const data = ctx.createImageData(map.width, map.height);
  data.data.set(cellRgba({ map: Float32Array.from(map.values), height: map.height, width: map.width, image }, input.colormap, input.opacity));
  ctx.putImageData(data, 0, 0);
  return { mime: 'image/png', filename: `${record.method}-${input.key.slice(0, 12)}.png`, bytes: bytesOf(canvas.toBuffer('image/png')) };
}

export interface ChartFigureInput {
  jobId: number;
  chartId: string;
  format: FigureFormat;
  dpi: number;
  /** Paper size and font; default the chart's own size at Chart.js's fonts. */
  size?: FigureSize;
  /** Draw the chart's title (default false: the caption belongs to the paper). */
  title?: boolean;
}

/** The size a chart is exported at: the paper size (its height, else the chart's own aspect ratio), or the chart's own. */
export function chartFigureSize(chart: { width: number; height: number }, size?: FigureSize): { width: number; height: number; fontSize?: number } {
  if (!size) return { width: chart.width, height: chart.height };
  return { width: size.width, height: size.height ?? Math.round((size.width * chart.height) / chart.width), fontSize: size.fontSize };
}

export async function chartFigure(service: WorkbenchService, input: ChartFigureInput): Promise<ApiFile> {
  const charts = await jobCharts(service, input.jobId);
  const chart = charts.find((c) => c.id === input.chartId);
  if (!chart) {
    const known = charts.map((c) => c.id).join(', ') || 'none yet';
    throw new ServiceError('not-found', `Job ${input.jobId} has no chart "${input.chartId}" (its charts: ${known}).`);
  }
  const { renderChart } = await import('../figures/render-chart');
  const { width, height, fontSize } = chartFigureSize(chart, input.size);
  const bytes = renderChart(chartConfig(chart, { title: input.title ?? false, fontSize }), { format: input.format, width, height, dpi: input.dpi });
  return { mime: FIGURE_MIME[input.format], filename: `job${input.jobId}-${chart.id}.${input.format}`, bytes: bytesOf(bytes) };
}

/** The gallery's grid of maps: the first images in item order (or of one class), input column, one map per method. */
export async function mapGridFigure(service: WorkbenchService, input: {
  jobId: number; methods?: string[]; className?: string; limit: number; colormap: ColormapName; opacity: number; format: FigureFormat; dpi: number;
  size?: FigureSize; title?: boolean; inputColumn?: boolean;
}): Promise<ApiFile> {
  return comparisonFigure(service, { jobId: input.jobId, methods: input.methods, className: input.className, rows: input.limit, sample: 'order',
    colormap: input.colormap, opacity: input.opacity, format: input.format, dpi: input.dpi, size: input.size, title: input.title, inputColumn: input.inputColumn });
}

/** The job's table as CSV or LaTeX (the window's export): the registry's builder of the job's kind (tables/registry.ts). */
export async function summaryTable(service: WorkbenchService, input: { jobId: number; format: TableFormat }): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  const build = tableBuilder(job.kind);
  if (!build) throw new ServiceError('unsupported', `Job ${input.jobId} has no summary table.`);
  const format = input.format === 'tex' ? 'latex' : 'csv';
  const table = await build(service, job);
  const text = table.formatted?.[format] ?? formatTable(table, format);
  return { mime: TABLE_MIME[format], filename: `job${job.id}-${job.kind}.${TABLE_EXTENSION[format]}`, bytes: new TextEncoder().encode(text) };
}
