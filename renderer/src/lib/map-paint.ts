// Paints a map over its image on a canvas: the image scaled to the tile, then the map, normalized to [lo, hi] and
// colour-mapped with shared/colormap.ts (the same tables the exported figures use), at the chosen opacity.
import { colormapLut, type ColormapName } from '../../../shared/colormap';
import { client } from './client';

export interface MapStyle {
  colormap: ColormapName;
  opacity: number;
  /** The value range mapped to the colormap's ends. */
  lo: number;
  hi: number;
}

const luts = new Map<ColormapName, Uint8Array>();
function lut(name: ColormapName): Uint8Array {
  let t = luts.get(name);
  if (!t) luts.set(name, (t = colormapLut(name, 256)));
  return t;
}

/** Raw map values by key: fetched once (float32, little-endian, row-major). */
const values = new Map<string, Promise<Float32Array>>();
export function mapValues(key: string): Promise<Float32Array> {
  let v = values.get(key);
  if (!v) {
    v = client.fileBytes('map.raw', { key }).then((b) => new Float32Array(b));
    v.catch(() => values.delete(key));
    values.set(key, v);
  }
  return v;
}

const images = new Map<number, Promise<HTMLImageElement>>();
export function imageElement(id: number): Promise<HTMLImageElement> {
  let p = images.get(id);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error(`image ${id} did not load`));
      img.src = client.fileUrl('image', { id });
    });
    p.catch(() => images.delete(id));
    images.set(id, p);
  }
  return p;
}

export function paintMap(
  canvas: HTMLCanvasElement,
  map: { values: Float32Array; height: number; width: number },
  style: MapStyle,
  image: HTMLImageElement | null,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, W, H);
  if (image) ctx.drawImage(image, 0, 0, W, H);
  const tile = document.createElement('canvas');
  tile.width = map.width;
  tile.height = map.height;
  const tctx = tile.getContext('2d');
  if (!tctx) return;
  const data = tctx.createImageData(map.width, map.height);
  const table = lut(style.colormap);
  const range = style.hi - style.lo;
  for (let i = 0; i < map.values.length; i++) {
    const v = map.values[i];
    const t = range > 0 && Number.isFinite(v) ? Math.min(1, Math.max(0, (v - style.lo) / range)) : 0;
    const k = Math.round(t * 255) * 3;
    data.data[i * 4] = table[k];
    data.data[i * 4 + 1] = table[k + 1];
    data.data[i * 4 + 2] = table[k + 2];
    data.data[i * 4 + 3] = 255;
  }
  tctx.putImageData(data, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.globalAlpha = image ? style.opacity : 1;
  ctx.drawImage(tile, 0, 0, W, H);
  ctx.globalAlpha = 1;
}
