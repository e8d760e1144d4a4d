// Synthetic attribution maps for the codec tests: what CAM/DIX maps look like (a coarse random field upsampled
// bilinearly to 224 x 224) and what IG-like pixel maps look like (noise).
import { mulberry32 } from '../../main/engine/data/rng';

/** Test data only: a seeded generator (the PRNG is not under test here). */
export const rng = mulberry32;

export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Bilinear resize with half-pixel centres, as tf.image.resizeBilinear(halfPixelCenters) and psi in docs/methods.md §1.2. */
export function resizeBilinear(src: ArrayLike<number>, sh: number, sw: number, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, ((y + 0.5) * sh) / h - 0.5);
    const y0 = Math.min(sh - 1, Math.floor(fy));
    const y1 = Math.min(sh - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.max(0, ((x + 0.5) * sw) / w - 0.5);
      const x0 = Math.min(sw - 1, Math.floor(fx));
      const x1 = Math.min(sw - 1, x0 + 1);
      const dx = fx - x0;
      out[y * w + x] =
        src[y0 * sw + x0] * (1 - dx) * (1 - dy) + src[y0 * sw + x1] * dx * (1 - dy) + src[y1 * sw + x0] * (1 - dx) * dy + src[y1 * sw + x1] * dx * dy;
    }
  }
  return out;
}

/** An n x n Gaussian random field upsampled to size x size. */
export function smoothMap(n: number, seed: number, size = 224): Float32Array {
  const r = rng(seed);
  const field = Array.from({ length: n * n }, () => gaussian(r));
  return resizeBilinear(field, n, n, size, size);
}

/** The mean of 7x7, 14x14 and 28x28 upsampled fields: a DIX3-like map over three cut points. */
export function dix3LikeMap(seed: number): Float32Array {
  const a = smoothMap(7, seed);
  const b = smoothMap(14, seed + 1);
  const c = smoothMap(28, seed + 2);
  return a.map((v, i) => (v + b[i] + c[i]) / 3);
}

/** Pixel-level noise: i.i.d. Gaussian. */
export function noiseMap(seed: number, size = 224): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: size * size }, () => gaussian(r));
}

/** IG-like: a smooth envelope times heavy-tailed pixel noise. */
export function igLikeMap(seed: number): Float32Array {
  const r = rng(seed);
  const envelope = smoothMap(14, seed + 7);
  return envelope.map((e) => e * gaussian(r) * Math.abs(gaussian(r)));
}

/** Largest |a - b| after min-max normalizing each by its own extremes. */
export function normalizedMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const norm = (v: ArrayLike<number>) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      lo = Math.min(lo, v[i]);
      hi = Math.max(hi, v[i]);
    }
    return (i: number) => (hi === lo ? 0 : (v[i] - lo) / (hi - lo));
  };
  const na = norm(a);
  const nb = norm(b);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(na(i) - nb(i)));
  return e;
}

/** 2x2 area average, as the codec does when it stores a map at half resolution. */
export function areaHalve(v: ArrayLike<number>, h: number, w: number): { values: Float64Array; h: number; w: number } {
  const H = Math.ceil(h / 2);
  const W = Math.ceil(w / 2);
  const out = new Float64Array(H * W);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      let s = 0;
      let n = 0;
      for (let y = 2 * Y; y < Math.min(h, 2 * Y + 2); y++) for (let x = 2 * X; x < Math.min(w, 2 * X + 2); x++) {
        s += v[y * w + x];
        n++;
      }
      out[Y * W + X] = s / n;
    }
  }
  return { values: out, h: H, w: W };
}
