// A grid of explanation maps as one figure: rows (images or methods) by columns (randomization steps, methods),
// each map min-max normalized and colour-mapped, optionally over its image, with row and column labels. Used for the
// per-step map strips of the sanity tests and for map grids exported from the gallery.
import { createCanvas } from '@napi-rs/canvas';
import { colormap, isColormapName, normalizeMinMax, type ColormapName } from '../../shared/colormap';
import { renderSurface, type SurfaceOptions } from './surface';

export interface MapCell {
  map: Float32Array;
  height: number;
  width: number;
  /** The image in [0, 1], H x W x C (C = 1 or 3), to draw under the map. */
  image?: Float32Array;
}

export interface MapGridData {
  title?: string;
  columnLabels: string[];
  rows: Array<{ label: string; cells: Array<MapCell | null> }>;
  colormap?: ColormapName;
  /** Map opacity over the image. */
  opacity?: number;
  /** Cell size in CSS pixels. */
  cellSize?: number;
}

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

export function gridSize(d: MapGridData): { width: number; height: number } {
  const cell = d.cellSize ?? 96;
  const labelW = 110;
  const top = (d.title ? 28 : 0) + 22;
  return { width: labelW + d.columnLabels.length * (cell + 4) + 8, height: top + d.rows.length * (cell + 4) + 8 };
}

export function renderMapGrid(d: MapGridData, o: Omit<SurfaceOptions, 'width' | 'height'>): Buffer {
  const { width, height } = gridSize(d);
  const cell = d.cellSize ?? 96;
  const cmap = d.colormap && isColormapName(d.colormap) ? d.colormap : 'jet';
  return renderSurface({ ...o, width, height }, ({ ctx, canvas, pixelRatio }) => {
    if (pixelRatio !== 1) {
      canvas.width = Math.round(width * pixelRatio);
      canvas.height = Math.round(height * pixelRatio);
      ctx.scale(pixelRatio, pixelRatio);
    }
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#222222';
    ctx.font = '13px sans-serif';
    let top = 8;
    if (d.title) {
      ctx.font = 'bold 14px sans-serif';
      ctx.fillText(d.title, 8, top + 14);
      ctx.font = '13px sans-serif';
      top += 28;
    }
    d.columnLabels.forEach((l, j) => ctx.fillText(l, 110 + j * (cell + 4), top + 12, cell));
    top += 22;
    ctx.imageSmoothingEnabled = false;
    d.rows.forEach((row, i) => {
      const y = top + i * (cell + 4);
      ctx.fillStyle = '#222222';
      ctx.fillText(row.label, 8, y + cell / 2, 100);
      row.cells.forEach((c, j) => {
        if (!c) return;
        const tile = createCanvas(c.width, c.height);
        const tctx = tile.getContext('2d');
        const img = tctx.createImageData(c.width, c.height);
        img.data.set(cellRgba(c, cmap, d.opacity ?? 0.6));
        tctx.putImageData(img, 0, 0);
        ctx.drawImage(tile, 110 + j * (cell + 4), y, cell, cell);
      });
    });
  });
}
