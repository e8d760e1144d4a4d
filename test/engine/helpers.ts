// Shared helpers for the engine tests: a seeded PRNG, plain-JS reference computations (bilinear resize with
// half-pixel centres, 2x2 average pooling) and assertions for UserErrors and numeric closeness.
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { isUserError, type UserError } from '../../main/engine/errors';
import { mulberry32 } from '../../main/engine/data/rng';

/** Test data only: a seeded generator (the PRNG is not under test here). */
export const rng = mulberry32;

/** n uniform numbers in [lo, hi). */
export function uniform(seed: number, n: number, lo = -1, hi = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Asserts max |a - b| <= tol * max(1, max |b|) (relative to the expected values' scale). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'values'): void {
  const d = maxAbsDiff(actual, expected);
  const scale = Math.max(1e-12, maxAbs(expected));
  assert.ok(d <= tol * scale, `${what}: max abs diff ${d.toExponential(3)} > ${tol} x scale ${scale.toExponential(3)}`);
}

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Reads a tensor's values as a plain array and disposes nothing (callers own it). */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Runs f, asserting it throws a UserError whose message+hint matches every pattern. Returns the error. */
export async function assertUserError(f: () => unknown, ...patterns: RegExp[]): Promise<UserError> {
  let caught: unknown = null;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, 'expected a UserError, nothing was thrown');
  assert.ok(isUserError(caught), `expected a UserError, got ${(caught as Error)?.name}: ${(caught as Error)?.message}`);
  const err = caught as UserError;
  for (const p of patterns) assert.match(err.text, p);
  return err;
}

/** Index of an [h, w, c] channels-last array. */
export const at = (h: number, w: number, c: number, W: number, C: number) => (h * W + w) * C + c;

/**
 * Bilinear resize of one [h, w] plane to [H, W] with half-pixel centres (TF resizeBilinear(halfPixelCenters=true),
 * PyTorch align_corners=False): source y = (i + 0.5) h/H - 0.5 clamped at 0, neighbours clamped at the edge.
 */
export function resizeBilinearRef(src: number[], h: number, w: number, H: number, W: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < H; i++) {
    const y = Math.max(0, (i + 0.5) * (h / H) - 0.5);
    const y0 = Math.min(Math.floor(y), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = y - y0;
    for (let j = 0; j < W; j++) {
      const x = Math.max(0, (j + 0.5) * (w / W) - 0.5);
      const x0 = Math.min(Math.floor(x), w - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const fx = x - x0;
      const top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
      const bot = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
      out.push(top * (1 - fy) + bot * fy);
    }
  }
  return out;
}

/** 2x2 stride-2 average pooling of an [h, w, c] channels-last array. */
export function avgPool2Ref(x: number[], h: number, w: number, c: number): number[] {
  const H = h / 2;
  const W = w / 2;
  const out = new Array<number>(H * W * c).fill(0);
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let k = 0; k < c; k++) {
    out[at(i, j, k, W, c)] = (x[at(2 * i, 2 * j, k, w, c)] + x[at(2 * i + 1, 2 * j, k, w, c)]
      + x[at(2 * i, 2 * j + 1, k, w, c)] + x[at(2 * i + 1, 2 * j + 1, k, w, c)]) / 4;
  }
  return out;
}

/** Mean over channels of an [h, w, c] array -> [h, w]. */
export function channelMeanRef(x: number[], h: number, w: number, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < h * w; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += x[i * c + k];
    out.push(s / c);
  }
  return out;
}

/** Per channel, the minimum over all positions of an [h, w, c] array -> [c]. */
export function channelMinRef(x: number[], h: number, w: number, c: number): number[] {
  const out = new Array<number>(c).fill(Infinity);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) out[k] = Math.min(out[k], x[i * c + k]);
  return out;
}

/** Number of live tensors, for leak checks. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
