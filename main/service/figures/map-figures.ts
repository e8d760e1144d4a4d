// The map figures of a job, drawn by main/figures/map-grid.ts: the qualitative comparison (paper Fig. 1-3: rows =
// images, chosen or sampled across classes in turn; columns = the input and one map per method, titled with the
// methods' display names), the gallery's map grid (the first images in item order), and a sanity job's per-step map
// strip. Every one has the input column (unless turned off), a colour bar, a colormap of the caller's choice (jet by
// default) and a paper size; no title unless asked, and never a job number in it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiFile } from '../../../shared/api';
import type { FigureFormat } from '../../../shared/api-charts';
import type { FigureSize } from '../../../shared/charts/figure-style';
import type { ColormapName } from '../../../shared/colormap';
import { methodName } from '../../../shared/method-display';
import type { SanityJobSummary } from '../../../shared/service-api';
import type { JobRecord } from '../../../shared/store-types';
import type { ImagePixels, MapCell, MapGridData } from '../../figures/map-grid';
import { getImage, requireDataset } from '../../store/datasets-repo';
import { requireJob } from '../../store/jobs-repo';
import { listJobMaps, readMap } from '../../store/maps-repo';
import type { WorkbenchService } from '../service';
import { ServiceError } from '../service-error';

export const DEFAULT_COLORMAP: ColormapName = 'jet';
const MIME: Record<FigureFormat, string> = { png: 'image/png', svg: 'image/svg+xml', pdf: 'application/pdf' };
/** The input column is drawn from the image file, at most this many pixels a side. */
const INPUT_MAX_SIDE = 256;

export interface MapFigureStyle {
  format: FigureFormat;
  dpi?: number;
  colormap?: ColormapName;
  /** Map over its image: 1 = the map alone. */
  opacity?: number;
  /** Paper size (width, optional height, font); default: cells of 96 px at 12 px text. */
  size?: FigureSize;
  /** A title above the figure (off by default). */
  title?: boolean;
  /** The input image as the first column (default true). */
  inputColumn?: boolean;
}

export interface ComparisonInput extends MapFigureStyle {
  jobId: number;
  /** Columns, in this order (default: the job's methods that stored maps). */
  methods?: string[];
  /** Rows: image paths relative to the dataset (default: sampled across classes). */
  images?: string[];
  /** How many rows when sampling (default: one image per class, at most 8; 4 when the images have no classes). */
  rows?: number;
  /** Only images of this class. */
  className?: string;
  /** 'classes': take the classes in turn (the comparison figure); 'order': the first images in item order (the gallery's grid). */
  sample?: 'classes' | 'order';
  /** Row labels: the class name, the image path, or none (default: class when every row has one and images were sampled). */
  rowLabels?: 'class' | 'image' | 'none';
}

function toFile(bytes: Buffer, filename: string, format: FigureFormat): ApiFile {
  return { mime: MIME[format], filename, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function imageFilePath(service: WorkbenchService, imageId: number): string | null {
  const image = getImage(service.store, imageId);
  if (!image) return null;
  return join(requireDataset(service.store, image.datasetId).root, ...image.relPath.split('/'));
}

/** An image's pixels in [0, 1], H x W x 3, drawn onto a grid of the given size (the map's, for overlays). */
export async function imageOnGrid(service: WorkbenchService, imageId: number | null, height: number, width: number): Promise<Float32Array | undefined> {
  if (imageId === null) return undefined;
  const path = imageFilePath(service, imageId);
  if (!path) return undefined;
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  let img;
  try {
    img = await loadImage(readFileSync(path));
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

/** The image itself for the input column: its own resolution, at most INPUT_MAX_SIDE a side. */
export async function inputImage(service: WorkbenchService, imageId: number | null): Promise<ImagePixels | null> {
  if (imageId === null) return null;
  const image = getImage(service.store, imageId);
  let w = image?.width ?? null;
  let h = image?.height ?? null;
  if (!w || !h) {
    const path = imageFilePath(service, imageId);
    if (!path) return null;
    try {
      const { loadImage } = await import('@napi-rs/canvas');
      const img = await loadImage(readFileSync(path));
      w = img.width;
      h = img.height;
    } catch {
      return null;
    }
  }
  const scale = Math.min(1, INPUT_MAX_SIDE / Math.max(w, h));
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(h * scale));
  const pixels = await imageOnGrid(service, imageId, height, width);
  return pixels ? { pixels, height, width } : null;
}

/** A sanity job's trained-model hash: only its step-0 maps belong in a comparison. */
async function trainedHashOf(service: WorkbenchService, job: JobRecord): Promise<string | null> {
  if (job.kind !== 'sanity') return null;
  const summary = (await service.results.summary(job.id)) as SanityJobSummary | null;
  return summary?.model?.hash ?? null;
}

/** Takes the classes in turn (classes in order of first appearance, each class's images in their order). */
export function takeClassesInTurn<T>(items: readonly T[], classOf: (t: T) => string | null, n: number): T[] {
  const byClass = new Map<string | null, T[]>();
  for (const it of items) {
    const k = classOf(it);
    const list = byClass.get(k);
    if (list) list.push(it);
    else byClass.set(k, [it]);
  }
  const queues = [...byClass.values()];
  const out: T[] = [];
  for (let round = 0; out.length < n && queues.some((q) => round < q.length); round++) {
    for (const q of queues) if (round < q.length && out.length < n) out.push(q[round]);
  }
  return out;
}

function gridStyle(style: MapFigureStyle): Pick<MapGridData, 'width' | 'height' | 'fontSize' | 'colormap' | 'opacity'> {
  return {
    width: style.size?.width,
    height: style.size?.height ?? undefined,
    fontSize: style.size?.fontSize ?? 12,
    colormap: style.colormap ?? DEFAULT_COLORMAP,
    opacity: style.opacity,
  };
}

/** The comparison figure (and the gallery's map grid, with sample 'order'). */
export async function comparisonFigure(service: WorkbenchService, input: ComparisonInput): Promise<ApiFile> {
  const job = requireJob(service.store, input.jobId);
  const trainedHash = await trainedHashOf(service, job);
  const all = listJobMaps(service.store, job.id).filter((m) => {
    if (job.kind !== 'sanity') return true;
    const randomized = (m.provenance.params as { randomization?: unknown }).randomization !== undefined;
    return !randomized && (trainedHash === null || m.modelHash === trainedHash);
  });
  if (all.length === 0) {
    throw new ServiceError('not-found', `Job ${job.id} stored no maps.`, job.kind === 'sanity' ? 'Run the sanity test with --keep-maps N.' : 'Explain jobs store maps unless --keep-maps none; run one with the methods to compare.');
  }
  const stored = [...new Set(all.map((m) => m.method))];
  const specMethods = (job.spec as { methods?: string[] }).methods ?? [];
  const methods = input.methods ?? [...specMethods.filter((m) => stored.includes(m)), ...stored.filter((m) => !specMethods.includes(m))];
  for (const m of methods) if (!stored.includes(m)) throw new ServiceError('not-found', `Job ${job.id} has no stored maps of ${m}.`, `Its maps: ${stored.join(', ')}.`);

  // Images in item order, each with its maps per method (the first map of a method per item).
  const images = new Map<string, { itemKey: string; imageId: number | null; relPath: string; className: string | null; maps: Map<string, (typeof all)[number]> }>();
  for (const m of all) {
    if (!methods.includes(m.method)) continue;
    const im = m.imageId === null ? undefined : getImage(service.store, m.imageId);
    const relPath = im?.relPath ?? m.itemKey;
    let entry = images.get(relPath);
    if (!entry) {
      entry = { itemKey: m.itemKey, imageId: m.imageId, relPath, className: im?.className ?? null, maps: new Map() };
      images.set(relPath, entry);
    }
    if (!entry.maps.has(m.method)) entry.maps.set(m.method, m);
  }
  let candidates = [...images.values()].filter((e) => input.className === undefined || e.className === input.className);
  if (candidates.length === 0) throw new ServiceError('not-found', `Job ${job.id} has no stored maps${input.className ? ` of class ${input.className}` : ''} for ${methods.join(', ')}.`);
  let chosen: typeof candidates;
  if (input.images) {
    chosen = input.images.map((p) => {
      const e = images.get(p);
      if (!e) throw new ServiceError('not-found', `Job ${job.id} has no stored maps of "${p}".`, `Images with maps: ${[...images.keys()].slice(0, 12).join(', ')}${images.size > 12 ? ', ...' : ''}.`);
      return e;
    });
  } else {
    // Rows with every method's map first; then any.
    const complete = candidates.filter((e) => methods.every((m) => e.maps.has(m)));
    if (complete.length > 0) candidates = complete;
    const classes = new Set(candidates.map((e) => e.className)).size;
    const n = input.rows ?? Math.min(candidates.length, classes > 1 ? Math.min(8, classes) : 4);
    chosen = input.sample === 'order' ? candidates.slice(0, n) : takeClassesInTurn(candidates, (e) => e.className, n);
  }
  const labels = input.rowLabels ?? (!input.images && input.sample !== 'order' && chosen.every((e) => e.className !== null) ? 'class' : 'image');
  const withInput = input.inputColumn !== false;
  const overlay = (input.opacity ?? 1) < 1;
  const rows: MapGridData['rows'] = [];
  for (const e of chosen) {
    const cells: Array<MapCell | null> = [];
    for (const method of methods) {
      const m = e.maps.get(method);
      const read = m ? readMap(service.store, m.key) : undefined;
      if (!read) {
        cells.push(null);
        continue;
      }
      const { map } = read;
      cells.push({ map: Float32Array.from(map.values), height: map.height, width: map.width,
        image: overlay ? await imageOnGrid(service, e.imageId, map.height, map.width) : undefined });
    }
    const label = labels === 'none' ? '' : labels === 'class' ? (e.className ?? e.relPath) : e.relPath;
    rows.push({ label, input: withInput ? await inputImage(service, e.imageId) : undefined, cells });
  }
  const { renderMapGrid } = await import('../../figures/map-grid');
  const bytes = renderMapGrid({
    title: input.title ? `${methods.map(methodName).join(', ')} on ${rows.length} image(s)` : undefined,
    columnLabels: methods.map(methodName),
    inputLabel: withInput ? 'input' : undefined,
    rows,
    ...gridStyle(input),
    opacity: input.opacity ?? 1,
  }, { format: input.format, dpi: input.dpi });
  const kind = input.sample === 'order' ? 'maps' : 'comparison';
  return toFile(bytes, `job${job.id}-${kind}.${input.format}`, input.format);
}

export interface MapStripInput extends MapFigureStyle {
  jobId: number;
  /** Image paths relative to the dataset root (default: the first two with stored maps). */
  images?: string[];
  /** Methods (default all). */
  methods?: string[];
}

/** A sanity job's maps per randomization step: a row per image and method, a column per step (input first). */
export async function mapStripFigure(service: WorkbenchService, input: MapStripInput): Promise<ApiFile> {
  const summary = (await service.results.summary(input.jobId)) as SanityJobSummary;
  const all = listJobMaps(service.store, input.jobId);
  if (all.length === 0) throw new ServiceError('not-found', `Job ${input.jobId} stored no maps.`, 'Run the sanity test with --keep-maps N (the maps of the first N images are stored).');
  // One row per image of this job (an item), whichever dataset registration a reused step-0 map points to.
  const relPathOf = new Map<string, string>();
  const imageIdOf = new Map<string, number>();
  for (const m of all) {
    if (m.imageId === null || relPathOf.has(m.itemKey)) continue;
    const im = getImage(service.store, m.imageId);
    if (im) {
      relPathOf.set(m.itemKey, im.relPath);
      imageIdOf.set(m.itemKey, m.imageId);
    }
  }
  const available = [...new Set(relPathOf.values())];
  const images = input.images ?? available.slice(0, 2);
  for (const im of images) if (!available.includes(im)) throw new ServiceError('not-found', `Job ${input.jobId} has no stored maps of "${im}".`, `Images with maps: ${available.join(', ')}.`);
  const methods = input.methods ?? summary.methods;
  const trainedHash = summary.model?.hash;
  const stepOf = (p: { params: Record<string, unknown>; modelHash: string }) => {
    const r = p.params.randomization as { step?: number } | undefined;
    return typeof r?.step === 'number' ? r.step : p.modelHash === trainedHash ? 0 : 1;
  };
  const withInput = input.inputColumn !== false;
  const overlay = (input.opacity ?? 1) < 1;
  const rows: MapGridData['rows'] = [];
  for (const image of images) {
    const itemKey = [...relPathOf.entries()].find(([, p]) => p === image)![0];
    const imageId = imageIdOf.get(itemKey) ?? null;
    const pixels = withInput ? await inputImage(service, imageId) : null;
    for (const [k, method] of methods.entries()) {
      const cells: Array<MapCell | null> = summary.steps.map(() => null);
      for (const m of all.filter((x) => x.method === method && x.itemKey === itemKey)) {
        const read = readMap(service.store, m.key);
        if (!read) continue;
        const idx = summary.steps.findIndex((s) => s.step === stepOf(read.record.provenance));
        if (idx >= 0 && !cells[idx]) {
          cells[idx] = { map: Float32Array.from(read.map.values), height: read.map.height, width: read.map.width,
            image: overlay ? await imageOnGrid(service, imageId, read.map.height, read.map.width) : undefined };
        }
      }
      // The image once, beside its first method's row, with its class folder (the strip's images come from different classes).
      rows.push({ label: k === 0 ? `${image.split('/').slice(-2).join('/')}\n${methodName(method)}` : methodName(method), input: k === 0 ? pixels : null, cells });
    }
  }
  const { renderMapGrid } = await import('../../figures/map-grid');
  const testName = summary.test === 'data' ? 'data randomization' : `${summary.test} randomization`;
  const bytes = renderMapGrid({
    title: input.title ? `Maps per step, ${testName}` : undefined,
    columnLabels: summary.steps.map((s) => s.label),
    inputLabel: withInput ? 'input' : undefined,
    rows,
    ...gridStyle(input),
    opacity: input.opacity ?? 1,
  }, { format: input.format, dpi: input.dpi });
  return toFile(bytes, `job${input.jobId}-map-strip.${input.format}`, input.format);
}
