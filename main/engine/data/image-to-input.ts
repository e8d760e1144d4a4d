// Pure maths from decoded pixels to the model's input tensor, as described by shared/preprocessing.ts.
// Order: drop alpha / convert channels -> bilinear resize -> v / scale (the "unit" image) -> (v - mean[c]) / std[c].
// Channel conversion and bilinear resizing are both linear, so doing the conversion first only saves work.
import type { Preprocessing } from '../../../shared/preprocessing.js';
import type { DecodedImage } from './image-decode.js';

/** Luma weights (ITU-R BT.601), the same as PIL's convert('L') and tf.image.rgb_to_grayscale. */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

export function luma(r: number, g: number, b: number): number {
  return LUMA_WEIGHTS[0] * r + LUMA_WEIGHTS[1] * g + LUMA_WEIGHTS[2] * b;
}

/** RGBA bytes -> float channels-last: 3 = RGB, 1 = luma. Alpha is ignored (not composited), as torchvision's convert('RGB') does. */
export function rgbaToChannels(rgba: Uint8Array, pixels: number, channels: 1 | 3): Float32Array {
  if (rgba.length !== pixels * 4) throw new Error(`rgbaToChannels: expected ${pixels * 4} bytes, got ${rgba.length}`);
  const out = new Float32Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    const r = rgba[i * 4]!;
    const g = rgba[i * 4 + 1]!;
    const b = rgba[i * 4 + 2]!;
    if (channels === 1) out[i] = luma(r, g, b);
    else {
      out[i * 3] = r;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = b;
    }
  }
  return out;
}

/**
 * Bilinear resize of a channels-last H x W x C array, align_corners=false with half-pixel centres
 * (PyTorch F.interpolate(mode='bilinear'), TF2 tf.image.resize without antialias):
 * src = (dst + 0.5) * in/out - 0.5, clamped at the border. Same size returns an exact copy.
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  srcH: number,
  srcW: number,
  channels: number,
  dstH: number,
  dstW: number,
): Float32Array {
  if (src.length !== srcH * srcW * channels) {
    throw new Error(`resizeBilinear: expected ${srcH * srcW * channels} values for ${srcH}x${srcW}x${channels}, got ${src.length}`);
  }
  if (dstH <= 0 || dstW <= 0 || !Number.isInteger(dstH) || !Number.isInteger(dstW)) throw new Error(`resizeBilinear: bad size ${dstH}x${dstW}`);
  const out = new Float32Array(dstH * dstW * channels);
  const ys = axisWeights(srcH, dstH);
  const xs = axisWeights(srcW, dstW);
  for (let y = 0; y < dstH; y++) {
    const y0 = ys.i0[y]!;
    const y1 = ys.i1[y]!;
    const wy = ys.w[y]!;
    for (let x = 0; x < dstW; x++) {
      const x0 = xs.i0[x]!;
      const x1 = xs.i1[x]!;
      const wx = xs.w[x]!;
      const o = (y * dstW + x) * channels;
      const a = (y0 * srcW + x0) * channels;
      const b = (y0 * srcW + x1) * channels;
      const c = (y1 * srcW + x0) * channels;
      const d = (y1 * srcW + x1) * channels;
      for (let k = 0; k < channels; k++) {
        const top = src[a + k]! + (src[b + k]! - src[a + k]!) * wx;
        const bot = src[c + k]! + (src[d + k]! - src[c + k]!) * wx;
        out[o + k] = top + (bot - top) * wy;
      }
    }
  }
  return out;
}

/** For each output index along one axis: the two source indices and the weight of the second. */
function axisWeights(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; w: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.max(0, (o + 0.5) * scale - 0.5); // left border: PyTorch clamps negative source coords to 0
    const f = Math.min(Math.floor(s), inSize - 1);
    i0[o] = f;
    i1[o] = Math.min(f + 1, inSize - 1);
    w[o] = i1[o] === f ? 0 : s - f;
  }
  return { i0, i1, w };
}

/** mean/std for channel c: a single entry applies to every channel. */
function perChannel(values: readonly number[], channels: number, what: string): number[] {
  if (values.length === 1) return Array.from({ length: channels }, () => values[0]!);
  if (values.length === channels) return [...values];
  throw new Error(`preprocessing.${what} has ${values.length} entries; expected 1 or ${channels} (one per channel)`);
}

/** torchvision's Resize(shorter): the shorter side becomes `shorter`, the longer one int(shorter * long / short). */
export function resizeShorterSize(h: number, w: number, shorter: number): [number, number] {
  return h <= w ? [shorter, Math.max(1, Math.floor((shorter * w) / h))] : [Math.max(1, Math.floor((shorter * h) / w)), shorter];
}

/** torchvision's CenterCrop offsets: int(round((size - crop) / 2)), Python rounding half to even. */
export function centerCropOffset(size: number, crop: number): number {
  const x = (size - crop) / 2;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The centre h x w window of a channels-last H x W x C array. */
export function centerCrop(src: Float32Array, srcH: number, srcW: number, channels: number, h: number, w: number): Float32Array {
  if (h > srcH || w > srcW) throw new Error(`centerCrop: ${h}x${w} does not fit in ${srcH}x${srcW}`);
  const top = centerCropOffset(srcH, h);
  const left = centerCropOffset(srcW, w);
  const out = new Float32Array(h * w * channels);
  for (let y = 0; y < h; y++) out.set(src.subarray(((top + y) * srcW + left) * channels, ((top + y) * srcW + left + w) * channels), y * w * channels);
  return out;
}

/** RGB <-> BGR in place on a channels-last 3-channel array. */
function swapRedBlue(a: Float32Array): void {
  for (let i = 0; i < a.length; i += 3) [a[i], a[i + 2]] = [a[i + 2]!, a[i]!];
}

/** Resizes (and centre-crops, with prep.resize) channels-last pixels to prep's H x W. */
function resizeForModel(chans: Float32Array, h: number, w: number, prep: Preprocessing): Float32Array {
  if (prep.resize === undefined) return resizeBilinear(chans, h, w, prep.channels, prep.height, prep.width);
  const [rh, rw] = resizeShorterSize(h, w, prep.resize);
  if (rh < prep.height || rw < prep.width) {
    // Resize(256) of a very elongated image can leave a side shorter than the crop; fall back to a plain resize.
    return resizeBilinear(chans, h, w, prep.channels, prep.height, prep.width);
  }
  return centerCrop(resizeBilinear(chans, h, w, prep.channels, rh, rw), rh, rw, prep.channels, prep.height, prep.width);
}

/** The image resized to prep's H x W x C, divided by prep.scale ([0,1] for scale 255): the space in which metrics black out pixels. */
export function toUnitImage(decoded: DecodedImage, prep: Preprocessing): Float32Array {
  const pixels = decoded.width * decoded.height;
  const chans = rgbaToChannels(decoded.rgba, pixels, prep.channels);
  if (prep.channels === 3 && prep.channelOrder === 'bgr') swapRedBlue(chans);
  const resized = resizeForModel(chans, decoded.height, decoded.width, prep);
  const inv = 1 / prep.scale;
  for (let i = 0; i < resized.length; i++) resized[i] = resized[i]! * inv;
  return resized;
}

/** (u - mean[c]) / std[c] on a unit image (H x W x C); returns a new array. */
export function normalizeUnitImage(unit: Float32Array, prep: Preprocessing): Float32Array {
  const C = prep.channels;
  if (unit.length !== prep.height * prep.width * C) {
    throw new Error(`normalizeUnitImage: expected ${prep.height}x${prep.width}x${C} = ${prep.height * prep.width * C} values, got ${unit.length}`);
  }
  const mean = perChannel(prep.mean, C, 'mean');
  const std = perChannel(prep.std, C, 'std');
  const out = new Float32Array(unit.length);
  for (let i = 0; i < unit.length; i++) {
    const c = i % C;
    out[i] = (unit[i]! - mean[c]!) / std[c]!;
  }
  return out;
}

/** The model's input for one decoded image: H * W * C float32, channels last. */
export function toModelInput(decoded: DecodedImage, prep: Preprocessing): Float32Array {
  return normalizeUnitImage(toUnitImage(decoded, prep), prep);
}
