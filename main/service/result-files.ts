// The API's file answers: a registered image (or its mask) as it is on disk, a stored map as float32 bytes or a
// colour-mapped PNG, and exported figures and tables. Figures are drawn by main/figures, the code the CLI uses.
// Only registered images are served: a path never comes from the caller.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ApiFile, ApiFileInput } from '../../shared/api';
import { chartConfig, type FigureFormat, type TableFormat } from '../../shared/api-charts';
import type { ColormapName } from '../../shared/colormap';
import { getImage, requireDataset } from '../store/datasets-repo';
import { listJobMaps, readMap } from '../store/maps-repo';
import type { WorkbenchService } from './service';
import { jobCharts } from './result-charts';
import { requireJob } from '../store/jobs-repo';
import { tableBuilder, type TableCell } from './tables/registry';
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

/** An image's pixels in [0, 1], H x W x 3, resized to the map's grid (the figures draw map and image cell by cell). */
async function imageUnder(service: WorkbenchService, imageId: number | null, height: number, width: number): Promise<Float32Array | undefined> {
  if (imageId === null) return undefined;
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  let img;
  try {
    img = await loadImage(readFileSync(imagePath(service, imageId).path));
  } catch {
    return undefined; // The map still shows, on black.
  }
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const out = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = rgba[i * 4 + c] / 255;
  return out;
}

export async function mapPngFile(service: WorkbenchService, input: { key: string; colormap: ColormapName; opacity: number }): Promise<ApiFile> {
  const { record, map } = requireMap(service, input.key);
  const [{ createCanvas }, { cellRgba }] = await Promise.all([import('@napi-rs/canvas'), import('../figures/map-grid')]);
  const image = input.opacity < 1 ? await imageUnder(service, record.imageId, map.height, map.width) : undefined;
  const canvas = createCanvas(map.width, map.height);
  const ctx = canvas.getContext('2d');
  const data = ctx.createImageData(map.width, map.height);
  data.data.set(cellRgba({ map: Float32Array.from(map.values), height: map.height, width: map.width, image }, input.colormap, input.opacity));
  ctx.putImageData(data, 0, 0);
  return { mime: 'image/png', filename: `${record.method}-${input.key.slice(0, 12)}.png`, bytes: bytesOf(canvas.toBuffer('image/png')) };
}

export async function chartFigure(service: WorkbenchService, input: { jobId: number; chartId: string; format: FigureFormat; dpi: number }): Promise<ApiFile> {
  const charts = await jobCharts(service, input.jobId);
  const chart = charts.find((c) => c.id === input.chartId);
  if (!chart) {
    const known = charts.map((c) => c.id).join(', ') || 'none yet';
    throw new ServiceError('not-found', `Job ${input.jobId} has no chart "${input.chartId}" (its charts: ${known}).`);
  }
  const { renderChart } = await import('../figures/render-chart');
  const bytes = renderChart(chartConfig(chart), { format: input.format, width: chart.width, height: chart.height, dpi: input.dpi });
  return { mime: FIGURE_MIME[input.format], filename: `job${input.jobId}-${chart.id}.${input.format}`, bytes: bytesOf(bytes) };
}

export async function mapGridFigure(service: WorkbenchService, input: Required<Omit<ApiFileInput<'export.maps'>, 'methods' | 'className'>> & { methods?: string[]; className?: string }): Promise<ApiFile> {
  const all = listJobMaps(service.store, input.jobId);
  const methods = input.methods ?? [...new Set(all.map((m) => m.method))];
  const wanted = all.filter((m) => methods.includes(m.method) && (input.className === undefined || classOf(service, m.imageId) === input.className));
  const items = [...new Set(wanted.map((m) => m.itemKey))].slice(0, input.limit);
  if (items.length === 0) throw new ServiceError('not-found', `Job ${input.jobId} has no stored maps${input.className ? ` of class ${input.className}` : ''} for ${methods.join(', ')}.`);
  const rows = [];
  for (const itemKey of items) {
    const cells = [];
    let label = itemKey;
    for (const method of methods) {
      const m = wanted.find((x) => x.itemKey === itemKey && x.method === method);
      if (!m) {
        cells.push(null);
        continue;
      }
      const { map } = requireMap(service, m.key);
      if (m.imageId !== null) label = getImage(service.store, m.imageId)?.relPath ?? label;
      cells.push({ map: Float32Array.from(map.values), height: map.height, width: map.width, image: await imageUnder(service, m.imageId, map.height, map.width) });
    }
    rows.push({ label, cells });
  }
  const { renderMapGrid } = await import('../figures/map-grid');
  const bytes = renderMapGrid(
    { title: `Job ${input.jobId}`, columnLabels: methods, rows, colormap: input.colormap, opacity: input.opacity },
    { format: input.format, dpi: input.dpi },
  );
  return { mime: FIGURE_MIME[input.format], filename: `job${input.jobId}-maps.${input.format}`, bytes: bytesOf(bytes) };
}

function classOf(service: WorkbenchService, imageId: number | null): string | null {
  return imageId === null ? null : (getImage(service.store, imageId)?.className ?? null);
}

/** The job's summary as rows: per image for an explain job, per epoch for a train job. */
export async function summaryTable(service: WorkbenchService, input: { jobId: number; format: TableFormat }): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  const build = tableBuilder(job.kind);
  if (build) {
    const format = input.format === 'tex' ? 'latex' : 'csv';
    const table = await build(service, job);
    const text = table.formatted?.[format] ?? formatTable(table, format);
    return { mime: TABLE_MIME[format], filename: `job${job.id}-${job.kind}.${TABLE_EXTENSION[format]}`, bytes: new TextEncoder().encode(text) };
  }
  const summary = await service.results.summary(input.jobId);
  let columns: string[];
  let rows: TableCell[][];
  if (summary?.kind === 'explain') {
    const methods = summary.methods.map((m) => m.id);
    columns = ['image', 'label', 'target', 'predicted', 'p(target)', ...methods.map((m) => `${m} ms`)];
    rows = summary.images.map((im) => [im.image, im.label, im.targetClass, im.predictedClass, round(im.targetProbability, 4), ...methods.map((m) => round(im.millis[m] ?? null, 1))]);
  } else if (summary?.kind === 'train') {
    columns = ['epoch', 'loss', 'train accuracy', 'validation accuracy', 'seconds'];
    rows = (summary.result?.epochs ?? []).map((e) => [e.epoch, round(e.loss, 4), round(e.trainAccuracy, 4), round(e.valAccuracy, 4), round(e.seconds, 2)]);
  } else {
    throw new ServiceError('unsupported', `Job ${input.jobId} has no summary table yet.`);
  }
  // The same CSV and booktabs LaTeX as every other table (table-format.ts).
  const format = input.format === 'tex' ? 'latex' : 'csv';
  return {
    mime: TABLE_MIME[format],
    filename: `job${input.jobId}-summary.${input.format}`,
    bytes: new TextEncoder().encode(formatTable({ title: `Job ${input.jobId}`, columns, rows }, format)),
  };
}

function round(v: number | null, digits: number): number | null {
  return v === null ? null : Number(v.toFixed(digits));
}
