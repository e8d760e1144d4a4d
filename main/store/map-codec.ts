// Compact, error-bounded storage of attribution maps (pure; node:zlib only).
//
// A map is min-max normalized onto a 16-bit grid, then coded near-losslessly: every value comes back within
// `maxError` (default 5e-4) of the computed one after min-max normalization, and the min and max pixels exactly,
// so normalizing the decoded map by its own min and max gives the same bound.
// Coding order is hierarchical interpolation: a coarse lattice first, then each finer level predicted by linear
// interpolation between known neighbours. Maps made by bilinear upsampling (CAM and DIX maps) are piecewise linear,
// so most predictions are exact; near a knot line, a pass may predict by one-sided extrapolation, choosing the
// side that worked for the neighbour along the same knot line. Residuals are quantized with step 2*delta+1 (the
// JPEG-LS "near" scheme), zigzag varint coded and deflated.
// Maps are stored at full resolution by default: a noise-like map (IG) cannot be both within 1e-3 and under the
// 16 KB budget at 224 x 224 (about 45-60 KB), and a stored map that differs from the computed one would make every
// metric on it wrong. Only when a caller passes `maxBytes` (e.g. SIZE_BUDGET_BYTES) is a map that exceeds it stored
// at half the resolution (2x2 area average), repeatedly, until it fits; the blob states both resolutions.
// Layout: 42-byte header | one mode byte per pass | deflated residuals | CRC-32 of all before it.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** Names the format in the store's `maps.encoding` column. */
export const MAP_ENCODING = 'dxmap1';
export const DEFAULT_MAX_ERROR = 5e-4;
/** The size budget for a 224 x 224 map, which CAM and DIX maps meet at full resolution; opt-in for other maps. */
export const SIZE_BUDGET_BYTES = 16 * 1024;

const MAGIC = 0x504d5844; // "DXMP" little-endian
const FORMAT_VERSION = 1;
const FLAG_CONSTANT = 1;
const HEADER_BYTES = 42;
const CHECKSUM_BYTES = 4;
const LEVELS = 65535;
const COARSE_STRIDE = 32;

export class MapCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MapCodecError';
  }
}

export interface EncodeMapOptions {
  /** Largest deviation after min-max normalization, in (0, 0.5]; 1e-3 is the product requirement. */
  maxError?: number;
  /** Halve the stored resolution until the blob fits; Infinity keeps the full resolution. */
  maxBytes?: number;
}

export interface MapHeader {
  /** Stored grid. */
  height: number;
  width: number;
  /** The map as computed; larger than the stored grid when it was stored at a lower resolution. */
  sourceHeight: number;
  sourceWidth: number;
  /** Raw (un-normalized) extremes of the stored grid. */
  min: number;
  max: number;
  /** Guaranteed bound on |decoded - computed| after min-max normalization. */
  maxError: number;
  constant: boolean;
  byteLength: number;
}

export interface DecodedMap extends MapHeader {
  /** Row-major, height x width. */
  values: Float32Array;
}

export function encodeMap(values: ArrayLike<number>, height: number, width: number, options: EncodeMapOptions = {}): Uint8Array {
  const maxError = options.maxError ?? DEFAULT_MAX_ERROR;
  const maxBytes = options.maxBytes ?? Infinity;
  checkShape(height, width);
  if (values.length !== height * width) {
    throw new MapCodecError(`map has ${values.length} values but ${height} x ${width} = ${height * width} were expected`);
  }
  if (!(maxError > 0 && maxError <= 0.5)) throw new MapCodecError(`maxError must be in (0, 0.5], got ${maxError}`);
  let grid: Float64Array = Float64Array.from(values as ArrayLike<number>);
  checkFinite(grid, width);
  let h = height;
  let w = width;
  for (;;) {
    const blob = encodeGrid(grid, h, w, height, width, maxError);
    if (blob.length <= maxBytes) return blob;
    if (h === 1 && w === 1) {
      throw new MapCodecError(`maxBytes ${maxBytes} is smaller than the smallest possible map blob (${blob.length} bytes)`);
    }
    ({ grid, h, w } = halve(grid, h, w));
  }
}

/** Reads and checks the header (and the checksum of the whole blob) without decoding the pixels. */
export function readMapHeader(blob: Uint8Array): MapHeader {
  if (blob.length < HEADER_BYTES + CHECKSUM_BYTES) throw new MapCodecError(`map blob too short (${blob.length} bytes): truncated or not a map`);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new MapCodecError('not a DIX map blob (bad magic number)');
  if (dv.getUint32(blob.length - CHECKSUM_BYTES, true) !== crc32(blob.subarray(0, blob.length - CHECKSUM_BYTES))) {
    throw new MapCodecError('map blob is corrupt (checksum mismatch)');
  }
  const version = dv.getUint8(4);
  if (version !== FORMAT_VERSION) throw new MapCodecError(`map blob format ${version} is not supported (this version reads ${FORMAT_VERSION})`);
  const delta = dv.getUint16(6, true);
  const header: MapHeader = {
    constant: (dv.getUint8(5) & FLAG_CONSTANT) !== 0,
    maxError: (delta + 0.5) / LEVELS,
    height: dv.getUint16(8, true),
    width: dv.getUint16(10, true),
    sourceHeight: dv.getUint16(12, true),
    sourceWidth: dv.getUint16(14, true),
    min: dv.getFloat64(16, true),
    max: dv.getFloat64(24, true),
    byteLength: blob.length,
  };
  if (header.height === 0 || header.width === 0) throw new MapCodecError('map blob has an empty grid');
  return header;
}

export function decodeMap(blob: Uint8Array): DecodedMap {
  const header = readMapHeader(blob);
  const { height: h, width: w, min, max } = header;
  const n = h * w;
  const values = new Float32Array(n);
  if (header.constant) {
    values.fill(min);
    return { ...header, values };
  }
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const delta = dv.getUint16(6, true);
  const minIndex = dv.getUint32(32, true);
  const maxIndex = dv.getUint32(36, true);
  const stride = dv.getUint8(40);
  const passCount = dv.getUint8(41);
  const passes = passesFor(coarseStride(h, w));
  if (stride !== coarseStride(h, w) || passCount !== passes.length || minIndex >= n || maxIndex >= n) {
    throw new MapCodecError('map blob header is inconsistent: corrupt');
  }
  const modes = blob.subarray(HEADER_BYTES, HEADER_BYTES + passCount);
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(blob.subarray(HEADER_BYTES + passCount, blob.length - CHECKSUM_BYTES));
  } catch (err) {
    throw new MapCodecError(`map blob payload does not inflate (${(err as Error).message}): corrupt`);
  }
  let pos = 0;
  const step = 2 * delta + 1;
  const code: CodeFn = (i, prediction, rec) => {
    let z = 0;
    let shift = 0;
    for (;;) {
      if (pos >= bytes.length) throw new MapCodecError('map blob payload ends early: truncated');
      const b = bytes[pos++];
      z |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    const k = (z >>> 1) ^ -(z & 1);
    rec[i] = clamp(prediction + k * step);
  };
  let rec = new Int32Array(n);
  codeCoarse(rec, h, w, stride, code);
  passes.forEach((pass, p) => {
    codePass(rec, h, w, pass, modes[p], code);
  });
  rec[minIndex] = 0;
  rec[maxIndex] = LEVELS;
  const range = max - min;
  for (let i = 0; i < n; i++) values[i] = rec[i] === LEVELS ? max : min + (rec[i] / LEVELS) * range;
  values[minIndex] = min;
  values[maxIndex] = max;
  rec = new Int32Array(0);
  return { ...header, values };
}

// ---- the coding order, shared by encoder and decoder ----

/** Codes pixel i given its prediction; sets rec[i] to the reconstructed 16-bit value. */
type CodeFn = (i: number, prediction: number, rec: Int32Array) => void;

/** One interpolation pass: axis 0 fills odd columns of even rows at spacing s, axis 1 the odd rows. */
interface Pass {
  s: number;
  axis: 0 | 1;
}

function coarseStride(h: number, w: number): number {
  let s = COARSE_STRIDE;
  while (s > 1 && (s >= h || s >= w)) s >>= 1;
  return s;
}

function passesFor(stride: number): Pass[] {
  const passes: Pass[] = [];
  for (let s = stride >> 1; s >= 1; s >>= 1) passes.push({ s, axis: 0 }, { s, axis: 1 });
  return passes;
}

/** The coarse lattice (every stride-th row and column) with the planar predictor a + b - c. */
function codeCoarse(rec: Int32Array, h: number, w: number, S: number, code: CodeFn): void {
  const up = S * w;
  for (let y = 0; y < h; y += S) {
    for (let x = 0; x < w; x += S) {
      const i = y * w + x;
      const a = x > 0 ? rec[i - S] : y > 0 ? rec[i - up] : LEVELS >> 1;
      const b = y > 0 ? rec[i - up] : a;
      const c = x > 0 && y > 0 ? rec[i - up - S] : b;
      code(i, clamp(a + b - c), rec);
    }
  }
}

/**
 * Mode 0 predicts every pixel by the mean of its two neighbours along the pass's axis. Mode 1 predicts by whichever
 * of {mean, extrapolation from the left/top, from the right/bottom} best predicted the reference pixel, the previous
 * pixel of this pass across the axis (a knot line crosses both).
 */
function codePass(rec: Int32Array, h: number, w: number, pass: Pass, mode: number, code: CodeFn): void {
  const { s, axis } = pass;
  const s2 = 2 * s;
  if (axis === 0) {
    for (let y = 0; y < h; y += s2) {
      for (let x = s; x < w; x += s2) {
        const i = y * w + x;
        const ref = mode === 1 && y >= s2 ? i - s2 * w : -1;
        code(i, predict(rec, i, s, x, w, s, ref), rec);
      }
    }
  } else {
    const st = s * w;
    for (let y = s; y < h; y += s2) {
      for (let x = 0; x < w; x += s) {
        const i = y * w + x;
        const ref = mode === 1 && x >= s ? i - s : -1;
        code(i, predict(rec, i, st, y, h, s, ref), rec);
      }
    }
  }
}

/** Pixel i at coordinate t along an axis of length n; st = index distance of one step s. */
function predict(rec: Int32Array, i: number, st: number, t: number, n: number, s: number, ref: number): number {
  const choice = ref < 0 ? 0 : bestPredictor(rec, ref, st, t, n, s);
  return clamp(Math.round(candidate(rec, i, st, t, n, s, choice)));
}

function bestPredictor(rec: Int32Array, ref: number, st: number, t: number, n: number, s: number): number {
  const actual = rec[ref];
  let best = 0;
  let bestErr = Math.abs(candidate(rec, ref, st, t, n, s, 0) - actual);
  for (let c = 1; c <= 2; c++) {
    const err = Math.abs(candidate(rec, ref, st, t, n, s, c) - actual);
    if (err < bestErr) {
      best = c;
      bestErr = err;
    }
  }
  return best;
}

/** 0: mean of the two neighbours; 1: linear extrapolation from the low side; 2: from the high side. */
function candidate(rec: Int32Array, i: number, st: number, t: number, n: number, s: number, which: number): number {
  const lo = rec[i - st];
  const hasHi = t + s < n;
  const hi = hasHi ? rec[i + st] : lo;
  if (which === 1 && t - 3 * s >= 0) return lo + (lo - rec[i - 3 * st]) / 2;
  if (which === 2 && hasHi && t + 3 * s < n) return hi + (hi - rec[i + 3 * st]) / 2;
  return (lo + hi) / 2;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > LEVELS ? LEVELS : v;
}

// ---- encoder ----

function encodeGrid(grid: Float64Array, h: number, w: number, sourceHeight: number, sourceWidth: number, maxError: number): Uint8Array {
  const n = h * w;
  let min = Infinity;
  let max = -Infinity;
  let minIndex = 0;
  let maxIndex = 0;
  for (let i = 0; i < n; i++) {
    const v = grid[i];
    if (v < min) {
      min = v;
      minIndex = i;
    }
    if (v > max) {
      max = v;
      maxIndex = i;
    }
  }
  const range = max - min;
  if (!Number.isFinite(range)) throw new MapCodecError(`map values span too wide a range (${min} .. ${max}) to normalize`);
  const delta = Math.max(0, Math.floor(maxError * LEVELS - 0.5));
  const stride = coarseStride(h, w);
  const passes = passesFor(stride);
  const constant = range === 0;
  const header = new Uint8Array(HEADER_BYTES + (constant ? 0 : passes.length));
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint8(4, FORMAT_VERSION);
  dv.setUint8(5, constant ? FLAG_CONSTANT : 0);
  dv.setUint16(6, delta, true);
  dv.setUint16(8, h, true);
  dv.setUint16(10, w, true);
  dv.setUint16(12, sourceHeight, true);
  dv.setUint16(14, sourceWidth, true);
  dv.setFloat64(16, min, true);
  dv.setFloat64(24, max, true);
  dv.setUint32(32, minIndex, true);
  dv.setUint32(36, maxIndex, true);
  dv.setUint8(40, stride);
  dv.setUint8(41, constant ? 0 : passes.length);
  if (constant) return withChecksum(header, new Uint8Array(0));

  const q = new Int32Array(n);
  for (let i = 0; i < n; i++) q[i] = Math.round(((grid[i] - min) / range) * LEVELS);
  const step = 2 * delta + 1;
  const residuals = new Int32Array(n);
  let count = 0;
  const quantizeInto = (out: Int32Array, at: { n: number; cost: number }): CodeFn => (i, prediction, rec) => {
    const e = q[i] - prediction;
    const k = e >= 0 ? Math.floor((e + delta) / step) : -Math.floor((delta - e) / step);
    out[at.n++] = k;
    if (k !== 0) at.cost += 1 + Math.log2(Math.abs(k) + 1);
    rec[i] = clamp(prediction + k * step);
  };

  let rec = new Int32Array(n);
  const coarse = { n: 0, cost: 0 };
  codeCoarse(rec, h, w, stride, quantizeInto(residuals, coarse));
  count = coarse.n;
  passes.forEach((pass, p) => {
    // Try both modes on copies and keep the cheaper (by a cost proxy of the residual magnitudes).
    const trials = [0, 1].map((mode) => {
      const r = rec.slice();
      const out = new Int32Array(n);
      const at = { n: 0, cost: 0 };
      codePass(r, h, w, pass, mode, quantizeInto(out, at));
      return { mode, r, out, at };
    });
    const best = trials[1].at.cost < trials[0].at.cost ? trials[1] : trials[0];
    header[HEADER_BYTES + p] = best.mode;
    rec = best.r;
    residuals.set(best.out.subarray(0, best.at.n), count);
    count += best.at.n;
  });
  if (count !== n) throw new Error(`map codec visited ${count} of ${n} pixels`); // a bug, never user input

  const bytes = new Uint8Array(n * 3);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const k = residuals[i];
    let z = ((k << 1) ^ (k >> 31)) >>> 0;
    while (z >= 0x80) {
      bytes[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    bytes[pos++] = z;
  }
  return withChecksum(header, deflateRawSync(bytes.subarray(0, pos), { level: 9 }));
}

function withChecksum(header: Uint8Array, payload: Uint8Array): Uint8Array {
  const blob = new Uint8Array(header.length + payload.length + CHECKSUM_BYTES);
  blob.set(header, 0);
  blob.set(payload, header.length);
  const end = blob.length - CHECKSUM_BYTES;
  new DataView(blob.buffer).setUint32(end, crc32(blob.subarray(0, end)), true);
  return blob;
}

/** 2x2 area average; an odd last row or column averages what it has. */
function halve(grid: Float64Array, h: number, w: number): { grid: Float64Array; h: number; w: number } {
  const H = Math.ceil(h / 2);
  const W = Math.ceil(w / 2);
  const out = new Float64Array(H * W);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      let sum = 0;
      let count = 0;
      for (let y = 2 * Y; y < Math.min(h, 2 * Y + 2); y++) {
        for (let x = 2 * X; x < Math.min(w, 2 * X + 2); x++) {
          sum += grid[y * w + x];
          count++;
        }
      }
      out[Y * W + X] = sum / count;
    }
  }
  return { grid: out, h: H, w: W };
}

function checkShape(height: number, width: number): void {
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new MapCodecError(`map ${name} must be an integer in 1..65535, got ${v}`);
  }
}

function checkFinite(grid: Float64Array, width: number): void {
  for (let i = 0; i < grid.length; i++) {
    if (!Number.isFinite(grid[i])) {
      throw new MapCodecError(
        `map value at row ${Math.floor(i / width)}, column ${i % width} (index ${i}) is ${grid[i]}; a map must be finite everywhere — the method produced an invalid result (check its inputs and parameters)`,
      );
    }
  }
}
