// Deterministic synthetic dataset: `dixw dataset synth`. The class is decided by an object's SHAPE only;
// position, scale, colour and (within limits that keep the shape's identity) rotation are random, and the
// background is cluttered, so a model must look at the object. The object's exact pixels are the ground-truth
// mask for localization metrics. Image i depends only on (seed, i, size, classes), never on n.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { encodePng } from './image-encode.js';
import { MASKS_DIR } from './dataset-folder.js';
import { mixSeed, Rng } from './rng.js';

export const SYNTH_SHAPES = ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond', 'hbar', 'star', 'lshape', 'hourglass'] as const;
export type SynthShape = (typeof SYNTH_SHAPES)[number];

export const SYNTH_DEFAULTS = { n: 400, size: 32, classes: 4, seed: 0 } as const;
export const SYNTH_FILE = 'synth.json';
/** Bumped whenever the pixels for a given seed change, so stored dataset hashes can be explained. */
export const SYNTH_VERSION = 1;

export interface SynthOptions {
  out: string;
  n?: number;
  size?: number;
  classes?: number;
  seed?: number;
  /** Replace an existing synthetic dataset in `out` (only one that has synth.json; never an arbitrary folder). */
  overwrite?: boolean;
}

export interface SynthSample {
  /** size * size * 3 RGB bytes. */
  rgb: Uint8Array;
  /** size * size bytes, 1 on the object's pixels, 0 elsewhere. */
  mask: Uint8Array;
}

// ---- shapes -------------------------------------------------------------------------------------------------
// Each shape lives in local coordinates roughly within [-1.25, 1.25] (v points down) and covers ~1.7-2.6 units
// of area, so that size is at most a weak cue. maxRot (degrees) keeps e.g. a square from turning into a diamond.

type Pt = readonly [number, number];

function inPolygon(u: number, v: number, poly: readonly Pt[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const TRIANGLE: Pt[] = [0, 1, 2].map((k) => {
  const a = -Math.PI / 2 + (k * 2 * Math.PI) / 3;
  return [1.25 * Math.cos(a), 1.25 * Math.sin(a)] as const;
});
const STAR: Pt[] = Array.from({ length: 10 }, (_, k) => {
  const a = -Math.PI / 2 + (k * Math.PI) / 5;
  const r = k % 2 === 0 ? 1.15 : 0.52;
  return [r * Math.cos(a), r * Math.sin(a)] as const;
});
const LSHAPE: Pt[] = [
  [-0.85, -0.85],
  [-0.25, -0.85],
  [-0.25, 0.25],
  [0.85, 0.25],
  [0.85, 0.85],
  [-0.85, 0.85],
];
const HOURGLASS: Pt[] = [
  [-0.85, -0.95],
  [0.85, -0.95],
  [0.12, 0],
  [0.85, 0.95],
  [-0.85, 0.95],
  [-0.12, 0],
];

const SHAPES: Record<SynthShape, { inside: (u: number, v: number) => boolean; maxRot: number }> = {
  circle: { inside: (u, v) => u * u + v * v <= 0.9 * 0.9, maxRot: 180 },
  square: { inside: (u, v) => Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8, maxRot: 15 },
  triangle: { inside: (u, v) => inPolygon(u, v, TRIANGLE), maxRot: 30 },
  cross: { inside: (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 1.0) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1.0), maxRot: 20 },
  ring: {
    inside: (u, v) => {
      const r2 = u * u + v * v;
      return r2 <= 0.95 * 0.95 && r2 >= 0.5 * 0.5;
    },
    maxRot: 180,
  },
  // A tall rhombus, not a rotated square: it stays distinguishable from `square` whatever its rotation.
  diamond: { inside: (u, v) => Math.abs(u) / 0.85 + Math.abs(v) / 1.15 <= 1, maxRot: 15 },
  hbar: { inside: (u, v) => Math.abs(u) <= 1.05 && Math.abs(v) <= 0.42, maxRot: 15 },
  star: { inside: (u, v) => inPolygon(u, v, STAR), maxRot: 36 },
  lshape: { inside: (u, v) => inPolygon(u, v, LSHAPE), maxRot: 30 },
  hourglass: { inside: (u, v) => inPolygon(u, v, HOURGLASS), maxRot: 20 },
};

/** Every shape's farthest point from its centre (local units): placement keeps the object inside the image. */
const SHAPE_RADIUS = 1.3;
/** Scale as a fraction of the image side: objects then span ~38-65% of the side (bounding box). */
const SCALE_RANGE = [0.22, 0.3] as const;

// ---- rendering ------------------------------------------------------------------------------------------------

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

function randomColor(rng: Rng): [number, number, number] {
  return [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
}

/** Smooth value noise: random values on a coarse grid around a base colour, smoothstep-interpolated. */
function paintBackground(rgb: Float32Array, size: number, rng: Rng, base: readonly number[]): void {
  const g = rng.int(2, 4);
  const amp = 25;
  const grid = new Float32Array((g + 1) * (g + 1) * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = base[i % 3]! + rng.uniform(-amp, amp);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < size; y++) {
    const gy = ((y + 0.5) / size) * g;
    const y0 = Math.min(Math.floor(gy), g - 1);
    const ty = smooth(gy - y0);
    for (let x = 0; x < size; x++) {
      const gx = ((x + 0.5) / size) * g;
      const x0 = Math.min(Math.floor(gx), g - 1);
      const tx = smooth(gx - x0);
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => grid[(yy * (g + 1) + xx) * 3 + c]!;
        const top = at(y0, x0) + (at(y0, x0 + 1) - at(y0, x0)) * tx;
        const bot = at(y0 + 1, x0) + (at(y0 + 1, x0 + 1) - at(y0 + 1, x0)) * tx;
        rgb[(y * size + x) * 3 + c] = top + (bot - top) * ty;
      }
    }
  }
}

function setPixel(rgb: Float32Array, size: number, x: number, y: number, col: readonly number[]): void {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= size || yi >= size) return;
  const o = (yi * size + xi) * 3;
  rgb[o] = col[0]!;
  rgb[o + 1] = col[1]!;
  rgb[o + 2] = col[2]!;
}

/** Clutter: 1-px lines and tiny irregular blobs (two overlapping small discs), far smaller than any object. */
function paintClutter(rgb: Float32Array, size: number, rng: Rng): void {
  const unit = size / 32;
  const lines = rng.int(1, 3);
  for (let k = 0; k < lines; k++) {
    const col = randomColor(rng);
    const x0 = rng.uniform(0, size);
    const y0 = rng.uniform(0, size);
    const a = rng.uniform(0, Math.PI);
    const len = rng.uniform(0.3, 0.8) * size;
    const steps = Math.ceil(len * 2);
    for (let s = 0; s <= steps; s++) {
      const t = (s / steps) * len;
      setPixel(rgb, size, x0 + t * Math.cos(a), y0 + t * Math.sin(a), col);
    }
  }
  const blobs = rng.int(2, 4);
  for (let k = 0; k < blobs; k++) {
    const col = randomColor(rng);
    const cx = rng.uniform(0, size);
    const cy = rng.uniform(0, size);
    const discs: [number, number, number][] = [
      [cx, cy, rng.uniform(0.7, 1.6) * unit],
      [cx + rng.uniform(-1.5, 1.5) * unit, cy + rng.uniform(-1.5, 1.5) * unit, rng.uniform(0.5, 1.2) * unit],
    ];
    for (const [dx, dy, r] of discs) {
      for (let y = Math.floor(dy - r); y <= Math.ceil(dy + r); y++) {
        for (let x = Math.floor(dx - r); x <= Math.ceil(dx + r); x++) {
          if ((x + 0.5 - dx) ** 2 + (y + 0.5 - dy) ** 2 <= r * r) setPixel(rgb, size, x, y, col);
        }
      }
    }
  }
}

/** Renders one sample of class `shape`. Pure: the same (seed, shape, size) gives the same pixels. */
export function renderSynthSample(seed: number, shape: SynthShape, size: number): SynthSample {
  const rng = new Rng(seed);
  const rgb = new Float32Array(size * size * 3);
  const base = [rng.uniform(30, 225), rng.uniform(30, 225), rng.uniform(30, 225)];
  paintBackground(rgb, size, rng, base);
  paintClutter(rgb, size, rng);

  // Object colour: any hue, but with a clear luminance step against the background's base colour, so the shape is
  // visible to filters that see mostly luminance. Drawn independently of the class: colour says nothing about it.
  let color = randomColor(rng);
  const lumaOf = (c: readonly number[]) => 0.299 * c[0]! + 0.587 * c[1]! + 0.114 * c[2]!;
  for (let tries = 0; tries < 200 && Math.abs(lumaOf(color) - lumaOf(base)) < 80; tries++) color = randomColor(rng);

  const def = SHAPES[shape];
  const scale = rng.uniform(SCALE_RANGE[0], SCALE_RANGE[1]) * size;
  const margin = SHAPE_RADIUS * scale;
  const cx = rng.uniform(margin, size - margin);
  const cy = rng.uniform(margin, size - margin);
  const theta = (rng.uniform(-def.maxRot, def.maxRot) * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);

  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Pixel centre into the object's frame (inverse rotation, then scale): a pixel is the object's iff its centre is inside.
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const u = (dx * cos + dy * sin) / scale;
      const v = (-dx * sin + dy * cos) / scale;
      if (def.inside(u, v)) {
        mask[y * size + x] = 1;
        setPixel(rgb, size, x, y, color);
      }
    }
  }

  // Mild sensor noise over everything, so neither object nor background is perfectly flat.
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < out.length; i++) out[i] = clampByte(rgb[i]! + rng.uniform(-6, 6));
  return { rgb: out, mask };
}

// ---- writing a dataset ------------------------------------------------------------------------------------------

export interface SynthResult {
  out: string;
  /** Class folder names in ImageFolder order (sorted), i.e. index = label when the folder is indexed. */
  classNames: string[];
  /** Shapes in generation (round-robin) order. */
  shapes: SynthShape[];
  n: number;
  size: number;
  seed: number;
  perClass: Record<string, number>;
}

function checkInt(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new UserError(`--${name} must be an integer from ${lo} to ${hi} (got ${v}).`);
  return v;
}

/** Writes DIR/<shape>/<i>.png (RGB), DIR/masks/<shape>/<i>.png (255 on 0) and DIR/synth.json. Classes are round-robin, so balanced. */
export function generateSynthDataset(opts: SynthOptions): SynthResult {
  const n = checkInt('n', opts.n ?? SYNTH_DEFAULTS.n, 1, 1_000_000);
  const size = checkInt('size', opts.size ?? SYNTH_DEFAULTS.size, 16, 1024);
  const classes = checkInt('classes', opts.classes ?? SYNTH_DEFAULTS.classes, 2, SYNTH_SHAPES.length);
  const seed = checkInt('seed', opts.seed ?? SYNTH_DEFAULTS.seed, 0, 0xffffffff);
  const out = opts.out;

  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!opts.overwrite) throw new UserError(`Output folder ${out} is not empty.`, 'Choose a new folder, or pass --overwrite to replace an earlier synthetic dataset.');
    if (!existsSync(join(out, SYNTH_FILE))) {
      throw new UserError(`Refusing to overwrite ${out}: it has no ${SYNTH_FILE}, so it is not a synthetic dataset made by dixw.`);
    }
    rmSync(out, { recursive: true, force: true });
  }

  const shapes = SYNTH_SHAPES.slice(0, classes);
  const digits = Math.max(4, String(n - 1).length); // zero-padded so file order = generation order
  for (const s of shapes) {
    mkdirSync(join(out, s), { recursive: true });
    mkdirSync(join(out, MASKS_DIR, s), { recursive: true });
  }
  const perClass: Record<string, number> = Object.fromEntries(shapes.map((s) => [s, 0]));
  for (let i = 0; i < n; i++) {
    const shape = shapes[i % classes]!;
    const { rgb, mask } = renderSynthSample(mixSeed(seed, i), shape, size);
    const name = `${String(i).padStart(digits, '0')}.png`;
    writeFileSync(join(out, shape, name), encodePng({ width: size, height: size, channels: 3, data: rgb }));
    for (let k = 0; k < mask.length; k++) mask[k] = mask[k] ? 255 : 0;
    writeFileSync(join(out, MASKS_DIR, shape, name), encodePng({ width: size, height: size, channels: 1, data: mask }));
    perClass[shape]!++;
  }
  const classNames = [...shapes].sort();
  const result: SynthResult = { out, classNames, shapes: [...shapes], n, size, seed, perClass };
  // No timestamps or absolute paths: the same parameters give the same bytes.
  const meta = { generator: 'dixw-synth', version: SYNTH_VERSION, seed, n, size, classes, classNames, shapes, perClass };
  writeFileSync(join(out, SYNTH_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return result;
}
