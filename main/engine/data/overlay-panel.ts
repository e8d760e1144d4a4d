// The `--png` overlay as a small figure: optionally the input image, then the overlay, then a vertical colour bar
// (top = the map's maximum, bottom = its minimum: each overlay is min-max normalized on its own). Small inputs are
// enlarged by whole pixels (nearest neighbour), so a 28x28 map stays readable and every map pixel stays exact.
import { COLORMAP_NAMES, colormap, isColormapName } from '../../../shared/colormap.js';
import { encodePng } from './image-encode.js';
import { overlayRgb, type OverlayOptions } from './overlay.js';

export interface OverlayPanelOptions extends OverlayOptions {
  /** Put the input image, without the map, in front of the overlay. */
  input?: boolean;
}

/** Images smaller than this (in height) are enlarged by the smallest whole factor that reaches it. */
const MIN_HEIGHT = 128;
const GAP = 4;
const WHITE = 255;

export interface Panel {
  width: number;
  height: number;
  /** RGB bytes, row-major. */
  data: Uint8Array;
  /** The factor the image and overlay were enlarged by. */
  scale: number;
}

export function overlayPanel(unitImage: Float32Array, map: Float32Array, opts: OverlayPanelOptions): Panel {
  const { height: H, width: W } = opts;
  const name = opts.colormap ?? 'jet';
  if (!isColormapName(name)) throw new Error(`overlay: unknown colormap ${JSON.stringify(name)}; known: ${COLORMAP_NAMES.join(', ')}`);
  const over = overlayRgb(unitImage, map, opts);
  const input = opts.input ? overlayRgb(unitImage, map, { ...opts, opacity: 0 }) : null;
  const k = Math.max(1, Math.ceil(MIN_HEIGHT / H));
  const h = H * k;
  const w = W * k;
  const bar = Math.max(8, Math.round(h / 12));
  const tiles = input ? [input, over] : [over];
  const width = tiles.length * (w + GAP) + bar;
  const data = new Uint8Array(width * h * 3).fill(WHITE);
  tiles.forEach((tile, t) => {
    const x0 = t * (w + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = (Math.floor(y / k) * W + Math.floor(x / k)) * 3;
        const dst = (y * width + x0 + x) * 3;
        data[dst] = tile[src]!;
        data[dst + 1] = tile[src + 1]!;
        data[dst + 2] = tile[src + 2]!;
      }
    }
  });
  // The bar shows the colormap itself (the overlay blends it over the image at the chosen opacity), high at the top.
  const color = colormap(name);
  const x0 = tiles.length * (w + GAP);
  for (let y = 0; y < h; y++) {
    const rgb = color(h === 1 ? 1 : 1 - y / (h - 1));
    for (let x = 0; x < bar; x++) {
      const dst = (y * width + x0 + x) * 3;
      data[dst] = rgb[0]!;
      data[dst + 1] = rgb[1]!;
      data[dst + 2] = rgb[2]!;
    }
  }
  return { width, height: h, data, scale: k };
}

export function overlayPanelPng(unitImage: Float32Array, map: Float32Array, opts: OverlayPanelOptions): Buffer {
  const p = overlayPanel(unitImage, map, opts);
  return encodePng({ width: p.width, height: p.height, channels: 3, data: p.data });
}
