// A grid of explanation maps as one figure: rows (images, or image and method) by columns (methods, or randomization
// steps), each map min-max normalized and colour-mapped, optionally over its image; a first column with the input
// image itself; column titles above, row labels on the left; and a colour bar under the maps saying what the colours
// mean. Used by the qualitative comparison figure (paper Fig. 1-3), the per-step map strips of the sanity tests and
// the map grids exported from the gallery. Sized for a paper: a figure width (e.g. 3.3 in, one column) sets the cell
// size, and the text is drawn at the figure's font size (as text, in SVG and PDF alike).
import { createCanvas } from '@napi-rs/canvas';
import { colormap, colormapLut, isColormapName, normalizeMinMax, type ColormapName } from '../../shared/colormap';
import { renderSurface, type Ctx2D, type SurfaceOptions } from './surface';

export interface MapCell {
  map: Float32Array;
  height: number;
  width: number;
  /** The image in [0, 1], H x W x C (C = 1 or 3) on the map's grid, to draw under the map. */
  image?: Float32Array;
}

/** An image in [0, 1], H x W x C (C = 1 or 3), at its own resolution. */
export interface ImagePixels {
  pixels: Float32Array;
  height: number;
  width: number;
}

export interface ColorBarSpec {
  /** Text at the low end, e.g. "0". */
  low: string;
  /** Text at the high end, e.g. "1". */
  high: string;
  /** What the colours measure, under the bar. */
  label?: string;
}

export interface MapGridData {
  /** Drawn only when given (figures have none by default: the caption belongs to the paper). */
  title?: string;
  /** Titles of the map columns. */
  columnLabels: string[];
  /** A first column with each row's input image, titled so (e.g. "input"); none when absent. */
  inputLabel?: string;
  /** Row labels may have two lines ("\n"). */
  rows: Array<{ label: string; input?: ImagePixels | null; cells: Array<MapCell | null> }>;
  colormap?: ColormapName;
  /** Map opacity over the image (1: the map alone). */
  opacity?: number;
  /** Cell size in CSS pixels; default: fitted to `width`, else 96. */
  cellSize?: number;
  /** Figure width in CSS pixels (1/96 in): the cells fit it. */
  width?: number;
  /** Figure height in CSS pixels: the cells shrink to fit it too (the grid is then centred in the width). */
  height?: number;
  /** Base font size in CSS pixels (default 12). */
  fontSize?: number;
  /** The colour bar under the maps; default 0 to 1, min-max normalized per map. false: none. */
  colorBar?: ColorBarSpec | false;
}

export const DEFAULT_COLOR_BAR: ColorBarSpec = { low: '0', high: '1', label: 'relevance (normalized per map)' };
const FONT_FAMILY = 'sans-serif';

/** RGBA bytes of one cell at its own resolution. */
export function cellRgba(cell: MapCell, cmap: ColormapName, opacity: number): Uint8ClampedArray {
  const color = colormap(cmap);
  const norm = normalizeMinMax(cell.map);
  const n = cell.height * cell.width;
  const channels = cell.image ? cell.image.length / n : 0;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const rgb = color(norm[i]);
    for (let c = 0; c < 3; c++) {
      const under = cell.image ? 255 * Math.min(1, Math.max(0, cell.image[channels === 1 ? i : i * 3 + c])) : 0;
      out[i * 4 + c] = cell.image ? (1 - opacity) * under + opacity * rgb[c] : rgb[c];
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** RGBA bytes of an image in [0, 1] (grey or RGB). */
export function imageRgba(im: ImagePixels): Uint8ClampedArray {
  const n = im.height * im.width;
  const channels = im.pixels.length / n;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 4 + c] = 255 * Math.min(1, Math.max(0, im.pixels[channels === 1 ? i : i * channels + c]));
    out[i * 4 + 3] = 255;
  }
  return out;
}

export interface GridLayout {
  width: number;
  height: number;
  fontSize: number;
  cell: number;
  gap: number;
  labelWidth: number;
  /** x of each column's left edge (input column first when present). */
  columnX: number[];
  /** y of the column titles' baseline. */
  headerY: number;
  /** Column titles' font size, and their angle (0, or -40 degrees when they do not fit side by side). */
  headerFont: number;
  headerAngle: number;
  /** y of the first row's top edge. */
  rowsY: number;
  /** The colour bar's box, or null. */
  bar: { x: number; y: number; width: number; height: number } | null;
}

let measurer: Ctx2D | null = null;
function textWidth(text: string, font: string): number {
  measurer ??= createCanvas(8, 8).getContext('2d');
  measurer.font = font;
  return measurer.measureText(text).width;
}

/** Where everything goes: computed once, used by the painter and by tests. */
export function gridLayout(d: MapGridData): GridLayout {
  const fs = d.fontSize ?? 12;
  const font = `${fs}px ${FONT_FAMILY}`;
  const pad = Math.max(4, Math.round(fs * 0.5));
  const columns = d.columnLabels.length + (d.inputLabel !== undefined ? 1 : 0);
  const widest = Math.max(0, ...d.rows.flatMap((r) => r.label.split('\n').map((l) => textWidth(l, font))));
  let labelWidth = widest > 0 ? Math.ceil(widest) + pad : 0;
  let cell = d.cellSize ?? 96;
  let gap = Math.max(2, Math.round(cell * 0.04));
  const titleH = d.title ? Math.round(fs * 1.9) : 0;
  const titles = d.inputLabel !== undefined ? [d.inputLabel, ...d.columnLabels] : d.columnLabels;
  const widestTitle = Math.max(1, ...titles.map((t) => textWidth(t, font)));
  // Column titles: at the base font if they fit their column, else smaller (down to 75%), else slanted.
  const headerFor = (c: number) => {
    const scale = Math.min(1, (c + gap - 3) / widestTitle);
    if (scale >= 0.75) return { headerFont: Math.max(6, Math.floor(fs * scale * 10) / 10), headerAngle: 0, headerH: Math.round(fs * 1.5) };
    return { headerFont: fs, headerAngle: -40, headerH: Math.round(widestTitle * Math.sin((40 * Math.PI) / 180) + fs * 1.2) };
  };
  let { headerFont, headerAngle, headerH } = headerFor(cell);
  const barH = d.colorBar === false ? 0 : Math.round(fs * 0.7) + Math.max(6, Math.round(fs * 0.75)) + Math.round(fs * 1.35);
  // Slanted titles lean right: the last one reaches past its column by this much.
  const lastTitle = textWidth(titles[titles.length - 1] ?? '', font);
  const overhangFor = (c: number) => (headerFor(c).headerAngle === 0 ? 0 : Math.max(0, Math.ceil(lastTitle * Math.cos((40 * Math.PI) / 180) - c / 2 + 2)));
  let offset = 0;
  let overhang = 0;
  if (d.width !== undefined) {
    // Labels take at most a third of the width (longer ones are squeezed); the cells share the rest.
    labelWidth = Math.min(labelWidth, Math.round(d.width / 3));
    const free = d.width - 2 * pad - labelWidth;
    gap = Math.max(2, Math.round((free / Math.max(1, columns)) * 0.04));
    const fit = (room: number) => Math.max(16, Math.floor((room - (columns - 1) * gap) / Math.max(1, columns)));
    cell = d.cellSize ?? fit(free);
    overhang = overhangFor(cell);
    if (overhang > 0 && d.cellSize === undefined) {
      cell = fit(free - overhang);
      overhang = overhangFor(cell);
    }
    ({ headerFont, headerAngle, headerH } = headerFor(cell));
    if (d.height !== undefined && d.rows.length > 0 && d.cellSize === undefined) {
      // The height is a most: the cells shrink to fit it (the figure is then only as high as it needs). Smaller cells
      // may need smaller or slanted column titles, whose height takes room again: twice settles it.
      for (let pass = 0; pass < 2; pass++) {
        const room = d.height - 2 * pad - titleH - headerH - barH;
        cell = Math.max(16, Math.min(cell, Math.floor((room - (d.rows.length - 1) * gap) / d.rows.length)));
        ({ headerFont, headerAngle, headerH } = headerFor(cell));
      }
      overhang = overhangFor(cell);
    }
    offset = Math.max(0, Math.floor((free - overhang - (columns * cell + (columns - 1) * gap)) / 2));
  } else {
    ({ headerFont, headerAngle, headerH } = headerFor(cell));
    overhang = overhangFor(cell);
  }
  const rowsY = pad + titleH + headerH;
  const gridBottom = rowsY + d.rows.length * (cell + gap) - gap;
  const columnX = Array.from({ length: columns }, (_, j) => pad + offset + labelWidth + j * (cell + gap));
  const gridRight = columns > 0 ? columnX[columns - 1] + cell : pad + labelWidth;
  let bar: GridLayout['bar'] = null;
  let height = gridBottom + pad;
  if (d.colorBar !== false) {
    const mapsLeft = columnX[d.inputLabel !== undefined ? 1 : 0] ?? pad + labelWidth;
    const span = gridRight - mapsLeft;
    const w = Math.max(Math.min(span, 320), Math.min(span, 120));
    const h = Math.max(6, Math.round(fs * 0.75));
    bar = { x: Math.round(mapsLeft + (span - w) / 2), y: gridBottom + Math.round(fs * 0.7), width: Math.round(w), height: h };
    height = bar.y + h + Math.round(fs * 1.35) + pad;
  }
  const width = d.width ?? gridRight + overhang + pad;
  const headerY = headerAngle === 0 ? pad + titleH + Math.round(fs * 1.05) : rowsY - Math.round(fs * 0.4);
  return { width, height, fontSize: fs, cell, gap, labelWidth, columnX, headerY, headerFont, headerAngle, rowsY, bar };
}

/** Size in CSS pixels of the figure. */
export function gridSize(d: MapGridData): { width: number; height: number } {
  const l = gridLayout(d);
  return { width: l.width, height: l.height };
}

function drawRgba(ctx: Ctx2D, rgba: Uint8ClampedArray, w: number, h: number, x: number, y: number, size: number): void {
  const tile = createCanvas(w, h);
  const tctx = tile.getContext('2d');
  const img = tctx.createImageData(w, h);
  img.data.set(rgba);
  tctx.putImageData(img, 0, 0);
  ctx.drawImage(tile, x, y, size, size);
}

/** Text centred at x, squeezed to maxWidth when longer. */
function centred(ctx: Ctx2D, text: string, x: number, y: number, maxWidth: number): void {
  const w = ctx.measureText(text).width;
  if (w <= maxWidth) ctx.fillText(text, x - w / 2, y);
  else ctx.fillText(text, x - maxWidth / 2, y, maxWidth);
}

export function renderMapGrid(d: MapGridData, o: Omit<SurfaceOptions, 'width' | 'height'>): Buffer {
  const l = gridLayout(d);
  const { width, height, cell, fontSize: fs } = l;
  const cmap = d.colormap && isColormapName(d.colormap) ? d.colormap : 'jet';
  const hasInput = d.inputLabel !== undefined;
  return renderSurface({ ...o, width, height }, ({ ctx, canvas, pixelRatio }) => {
    if (pixelRatio !== 1) {
      canvas.width = Math.round(width * pixelRatio);
      canvas.height = Math.round(height * pixelRatio);
      ctx.scale(pixelRatio, pixelRatio);
    }
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#222222';
    if (d.title) {
      ctx.font = `bold ${fs + 1}px ${FONT_FAMILY}`;
      centred(ctx, d.title, width / 2, Math.round(l.headerY - fs * 1.6), width - 8);
    }
    ctx.font = `${l.headerFont}px ${FONT_FAMILY}`;
    const titles = hasInput ? [d.inputLabel!, ...d.columnLabels] : d.columnLabels;
    titles.forEach((t, j) => {
      if (l.headerAngle === 0) return centred(ctx, t, l.columnX[j] + cell / 2, l.headerY, cell + l.gap);
      ctx.save();
      ctx.translate(l.columnX[j] + cell / 2, l.headerY);
      ctx.rotate((l.headerAngle * Math.PI) / 180);
      ctx.fillText(t, 0, 0);
      ctx.restore();
    });
    ctx.font = `${fs}px ${FONT_FAMILY}`;
    ctx.imageSmoothingEnabled = false;
    d.rows.forEach((row, i) => {
      const y = l.rowsY + i * (cell + l.gap);
      ctx.fillStyle = '#222222';
      const lines = row.label.split('\n');
      const lineH = fs * 1.2;
      const top = y + cell / 2 - (lines.length * lineH) / 2 + fs * 0.85;
      lines.forEach((line, k) => ctx.fillText(line, (l.columnX[0] ?? 0) - l.labelWidth, top + k * lineH, Math.max(8, l.labelWidth - 4)));
      if (hasInput && row.input) drawRgba(ctx, imageRgba(row.input), row.input.width, row.input.height, l.columnX[0], y, cell);
      row.cells.forEach((c, j) => {
        if (!c) return;
        drawRgba(ctx, cellRgba(c, cmap, d.opacity ?? 0.6), c.width, c.height, l.columnX[j + (hasInput ? 1 : 0)], y, cell);
      });
    });
    if (l.bar) {
      const spec = d.colorBar || DEFAULT_COLOR_BAR;
      const { x, y, width: w, height: h } = l.bar;
      const steps = Math.max(2, Math.round(w));
      const lut = colormapLut(cmap, steps);
      const rgba = new Uint8ClampedArray(steps * 4);
      for (let k = 0; k < steps; k++) rgba.set([lut[k * 3], lut[k * 3 + 1], lut[k * 3 + 2], 255], k * 4);
      const strip = createCanvas(steps, 1);
      const sctx = strip.getContext('2d');
      const img = sctx.createImageData(steps, 1);
      img.data.set(rgba);
      sctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(strip, x, y, w, h);
      ctx.strokeStyle = '#444444';
      ctx.lineWidth = 0.75;
      ctx.strokeRect(x, y, w, h);
      ctx.fillStyle = '#222222';
      ctx.font = `${fs - 1}px ${FONT_FAMILY}`;
      const ty = y + h + fs;
      ctx.fillText(spec.low, x, ty);
      ctx.fillText(spec.high, x + w - ctx.measureText(spec.high).width, ty);
      if (spec.label) {
        const room = w - ctx.measureText(spec.low).width - ctx.measureText(spec.high).width - 12;
        centred(ctx, spec.label, x + w / 2, ty, Math.max(20, room));
      }
    }
  });
}
