// Performance information curves, the SIC/AIC protocol of the XRAI and Guided IG authors (PAIR's
// saliency/metrics/pic.py; docs/methods.md §4.4):
//  - per image (shared by every method): the uint8 image, a random 1% of its pixels (seeded per image, the same for
//    every method), the start image interpolated from them (info-interpolate.ts), and the WebP sizes (the information
//    proxy) and predictions of both;
//  - per map: for each threshold t the top-t share of pixels by the map, plus the random pixels, are kept and the rest
//    interpolated; each such image's WebP size and prediction;
//  - per metric: x = (E - E_start) / (E_image - E_start) and y = (P - P_start) / (P_image - P_start), both clipped to
//    [0, 1], y made monotone by its running maximum, (0, 0) and (1, 1) added; the curve is linear between its points
//    and is read at 1000 points on [0, 1) plus 1.0; AUC by the trapezoid rule.
// Images are skipped (and counted) when the clean probability is below the minimum, when the start image is not
// smaller than the image, or when the start image scores at least as high as the image.
// Differences from pic.py, on purpose: the top-t pixels are the first n - ceil((n - 1)(1 - t)) of the map's ranking with
// ties broken by pixel index (docs/methods.md §4.1) -- the pixels at or above np.quantile(map, 1 - t) when no values tie -- and
// where several points share x = 0 the curve starts at the added (0, 0) rather than scipy's NaN.
import { tf } from '../tf';
import { Rng } from '../data/rng';
import type { Curve } from './metric';
import type { ImageState } from './image-state';
import type { MapState } from './map-state';
import type { PoolTask } from '../threads/worker-pool';
import { interpolateFromKept } from './info-interpolate';
import { settleWebpSizes, submitWebpSize } from './webp-pool';
import { bytesToInput, predictBatches } from './unit-input';

export const INFO_THRESHOLDS = [0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.13, 0.21, 0.34, 0.5, 0.75];

export type InfoCurveParams = {
  thresholds: number[];
  /** Share of random pixels the start image is interpolated from. */
  randomFraction: number;
  minProbability: number;
  keepMonotone: boolean;
  /** Grid points on [0, 1) at which curves are read (1.0 is added). */
  gridPoints: number;
  aggregation: 'median' | 'mean';
  /** Lossless WebP compression effort (PAIR: 100). */
  webpQuality: number;
};

export interface InfoStart {
  bytes: Uint8Array;
  random: Uint8Array;
  entropyImage: number;
  entropyStart: number;
  probImage: number;
  probStart: number;
  topImage: number;
  topStart: number;
}

export interface InfoPoints {
  entropy: number[];
  prob: number[];
  top1: number[];
}

/** PAIR's generate_random_mask: int(n fraction) distinct pixels, drawn with the image's seed. */
export function randomPixels(n: number, fraction: number, seed: number): Uint8Array {
  const mask = new Uint8Array(n);
  const count = Math.floor(n * fraction);
  const rng = new Rng(seed);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
    mask[pool[i]] = 1;
  }
  return mask;
}

/** Pixels kept at threshold t of n: those at or above the linear-interpolated (1 - t) quantile, ties aside. */
export function keptCount(n: number, t: number): number {
  return n - Math.ceil((n - 1) * (1 - t) - 1e-9);
}

function toBytes(image: ImageState): Uint8Array {
  const scale = image.vm.preprocessing.scale;
  return Uint8Array.from(image.unit, (u) => Math.min(255, Math.max(0, Math.round(u * scale))));
}

function predictBytes(image: ImageState, images: Uint8Array[]) {
  const { height: h, width: w, channels: c } = image.vm.preprocessing;
  const inputs = bytesToInput(images, image.vm.preprocessing);
  return predictBatches(image.vm, images.length, (s, m) => tf.tensor4d(inputs.subarray(s * h * w * c, (s + m) * h * w * c), [m, h, w, c]), image.targetClass, image.batchSize);
}

/** The image's uint8 bytes, its random pixels and its start image (the same for every map). */
function infoSource(image: ImageState, p: InfoCurveParams): { bytes: Uint8Array; random: Uint8Array; start: Uint8Array } {
  return image.memo(`info-source:${p.randomFraction}`, () => {
    const bytes = toBytes(image);
    const random = randomPixels(image.pixels, p.randomFraction, image.seed);
    return { bytes, random, start: interpolateFromKept(bytes, image.height, image.width, image.channels, random) };
  });
}

function submitSize(image: ImageState, bytes: Uint8Array, p: InfoCurveParams): PoolTask<number> {
  return submitWebpSize({ bytes, height: image.height, width: image.width, channels: image.channels, quality: p.webpQuality });
}

/** The WebP sizes of the image and of its start image, queued once per image. */
function startSizes(image: ImageState, p: InfoCurveParams): Array<PoolTask<number>> {
  return image.memo(`info-start-sizes:${p.randomFraction}:${p.webpQuality}`, () => {
    const { bytes, start } = infoSource(image, p);
    return [submitSize(image, bytes, p), submitSize(image, start, p)];
  });
}

/**
 * The map's images, one per threshold (its top-t pixels and the random ones kept, the rest interpolated), made here
 * (a few milliseconds each), with their WebP sizes queued for the worker threads.
 */
function pointImages(image: ImageState, map: MapState, p: InfoCurveParams): { images: Uint8Array[]; sizes: Array<PoolTask<number>> } {
  return map.memo(`info-point-images:${p.thresholds.join(',')}:${p.randomFraction}:${p.webpQuality}`, () => {
    const { bytes, random } = infoSource(image, p);
    const order = map.order('most-first');
    const images = p.thresholds.map((t) => {
      const keep = Uint8Array.from(random);
      const k = keptCount(image.pixels, t);
      for (let i = 0; i < k; i++) keep[order[i]] = 1;
      return interpolateFromKept(bytes, image.height, image.width, image.channels, keep);
    });
    return { images, sizes: images.map((b) => submitSize(image, b, p)) };
  });
}

/**
 * Queues the WebP encodings of an image and map on the worker threads, so that they run while the other metrics use
 * the model. Optional: infoStart and infoPoints queue what was not queued.
 */
export function prepareInfo(image: ImageState, map: MapState, p: InfoCurveParams): void {
  startSizes(image, p);
  // An image the clean-probability rule will skip needs no map images (the rule reads the rounded image, which is
  // within rounding of this probability; should they differ, infoPoints makes the images itself).
  if (map.map && image.targetProbability >= p.minProbability) pointImages(image, map, p);
}

export function infoStart(image: ImageState, p: InfoCurveParams): Promise<InfoStart> {
  return image.memo(`info-start:${p.randomFraction}:${p.webpQuality}`, async () => {
    const { bytes, random, start } = infoSource(image, p);
    const sizes = startSizes(image, p);
    // The model first: the workers encode meanwhile.
    const pred = predictBytes(image, [bytes, start]);
    const [entropyImage, entropyStart] = await settleWebpSizes(sizes);
    return { bytes, random, entropyImage, entropyStart, probImage: pred.prob[0], probStart: pred.prob[1], topImage: pred.top1[0], topStart: pred.top1[1] };
  });
}

export function infoPoints(image: ImageState, map: MapState, p: InfoCurveParams): Promise<InfoPoints> {
  return map.memo(`info-points:${p.thresholds.join(',')}:${p.randomFraction}:${p.webpQuality}`, async () => {
    const { images, sizes } = pointImages(image, map, p);
    const pred = predictBytes(image, images);
    return { entropy: await settleWebpSizes(sizes), prob: Array.from(pred.prob), top1: Array.from(pred.top1) };
  });
}

const clip01 = (v: number) => Math.min(1, Math.max(0, v));

/** Why an image is left out of SIC ('softmax') or AIC ('accuracy'), or null when it is scored. */
export function infoSkipReason(start: InfoStart, target: number, kind: 'softmax' | 'accuracy', p: InfoCurveParams): string | null {
  if (start.probImage < p.minProbability) return `clean probability below ${p.minProbability}`;
  if (start.entropyStart >= start.entropyImage) return 'start image not smaller than the image';
  const [yImage, yStart] = kind === 'softmax' ? [start.probImage, start.probStart] : [Number(start.topImage === target), Number(start.topStart === target)];
  return yStart >= yImage ? 'start image scored as high as the image' : null;
}

/**
 * One image's curve for SIC ('softmax': y is the target's probability) or AIC ('accuracy': y = 1[top-1 = target]),
 * as its sorted breakpoints, or the reason it is skipped.
 */
export function infoCurve(start: InfoStart, points: InfoPoints, target: number, kind: 'softmax' | 'accuracy', p: InfoCurveParams):
  { curve: Curve } | { skipped: string } {
  const skipped = infoSkipReason(start, target, kind, p);
  if (skipped) return { skipped };
  const yImage = kind === 'softmax' ? start.probImage : Number(start.topImage === target);
  const yStart = kind === 'softmax' ? start.probStart : Number(start.topStart === target);
  const pts: Array<[number, number]> = [];
  let best = 0;
  points.entropy.forEach((e, i) => {
    const x = clip01((e - start.entropyStart) / (start.entropyImage - start.entropyStart));
    const yRaw = kind === 'softmax' ? points.prob[i] : Number(points.top1[i] === target);
    const y = clip01((yRaw - yStart) / (yImage - yStart));
    best = Math.max(best, y);
    pts.push([x, p.keepMonotone ? best : y]);
  });
  pts.push([0, 0], [1, 1]);
  // Stable sort by x, as interp1d's mergesort.
  pts.sort((a, b) => a[0] - b[0]);
  return { curve: { x: pts.map((q) => q[0]), y: pts.map((q) => q[1]) } };
}

/** The grid x: gridPoints points on [0, 1) and 1.0. */
export function infoGrid(gridPoints: number): Float64Array {
  const g = Float64Array.from({ length: gridPoints + 1 }, (_, i) => i / gridPoints);
  g[gridPoints] = 1;
  return g;
}

/** A curve's breakpoints read at the grid as interp1d does (the segment ending at the first point with x >= t); y(1) = 1. */
export function readCurve(curve: Curve, grid: Float64Array): Float64Array {
  const { x, y } = curve;
  const out = new Float64Array(grid.length);
  let hi = 1;
  for (let g = 0; g < grid.length; g++) {
    const t = grid[g];
    if (g === grid.length - 1) {
      out[g] = 1;
      continue;
    }
    if (t === 0) {
      out[g] = 0;
      continue;
    }
    while (hi < x.length - 1 && x[hi] < t) hi++;
    const lo = hi - 1;
    out[g] = y[lo] + ((y[hi] - y[lo]) * (t - x[lo])) / (x[hi] - x[lo]);
  }
  return out;
}
