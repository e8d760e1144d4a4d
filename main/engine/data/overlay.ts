// A saliency map drawn over its image, for figures and the CLI: min-max map -> colormap -> alpha blend -> PNG.
import { COLORMAP_NAMES, colormap, isColormapName, normalizeMinMax, type ColormapName } from '../../../shared/colormap.js';
import { encodePng } from './image-encode.js';

export interface OverlayOptions {
  height: number;
  width: number;
  /** Image channels (1 or 3); checked against the image's length when given, inferred otherwise. */
  channels?: 1 | 3;
  /** A ColormapName ('jet' default); a plain string is accepted (e.g. from a CLI flag) and checked at run time. */
  colormap?: ColormapName | (string & {});
  /** Weight of the map's colour; 0 = the image only, 1 = the map only. */
  opacity?: number;
}

/**
 * RGB bytes of `map` (H x W, any range) coloured and blended over `unitImage` (H x W x C, C = 1 or 3, values in [0,1]):
 * out = (1 - opacity) * image + opacity * colour. A constant map normalizes to zeros (the colormap's low end).
 */
export function overlayRgb(unitImage: Float32Array, map: Float32Array, opts: OverlayOptions): Uint8Array {
  const { height: H, width: W } = opts;
  const opacity = opts.opacity ?? 0.5;
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`overlay: opacity must be in [0, 1] (got ${opacity})`);
  const px = H * W;
  if (map.length !== px) throw new Error(`overlay: map has ${map.length} values, expected ${H}x${W} = ${px}`);
  const C = unitImage.length / px;
  if ((C !== 1 && C !== 3) || (opts.channels !== undefined && C !== opts.channels)) {
    throw new Error(`overlay: image has ${unitImage.length} values; expected ${H}x${W}x${opts.channels ?? '1 or 3'}`);
  }
  const name = opts.colormap ?? 'jet';
  if (!isColormapName(name)) throw new Error(`overlay: unknown colormap ${JSON.stringify(name)}; known: ${COLORMAP_NAMES.join(', ')}`);
  const color = colormap(name);
  const norm = normalizeMinMax(map);
  const out = new Uint8Array(px * 3);
  for (let i = 0; i < px; i++) {
    const rgb = color(norm[i]!);
    for (let c = 0; c < 3; c++) {
      const u = unitImage[C === 1 ? i : i * 3 + c]!;
      const img = 255 * (u > 0 ? (u < 1 ? u : 1) : 0);
      out[i * 3 + c] = Math.round((1 - opacity) * img + opacity * rgb[c]!);
    }
  }
  return out;
}

/** overlayRgb encoded as an RGB PNG. */
export function overlayPng(unitImage: Float32Array, map: Float32Array, opts: OverlayOptions): Buffer {
  return encodePng({ width: opts.width, height: opts.height, channels: 3, data: overlayRgb(unitImage, map, opts) });
}
