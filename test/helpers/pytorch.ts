// Helpers for the tests that compare the ONNX import with PyTorch itself: Debian's python with torch (the tests call
// /usr/bin/python3, never a python on PATH, which may be a pyenv without torch), the committed fixtures of
// scripts/make-onnx-fixtures.py, layout conversion from PyTorch's NCHW to the workbench's channels-last, and a rank
// correlation written out here (independent of the workbench's own).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../main/engine/data/npy';
import type { Preprocessing } from '../../shared/preprocessing';

export const PYTHON = '/usr/bin/python3';
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

/** Why PyTorch cannot be used here (a skip message), or null when `PYTHON` imports torch and torchvision. */
export function pytorchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} does not exist (install python3-torch and python3-torchvision)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return `${PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision): ${(r.stderr || '').trim().split('\n').pop()}`;
  return null;
}

/** Runs a Python script with Debian's python; throws with its stderr when it fails. */
export function runPython(script: string, args: string[] = [], timeoutMs = 600_000): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20,
    env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '2', PYTHONWARNINGS: 'ignore' } });
  if (r.status !== 0) throw new Error(`${PYTHON} failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}`);
  return r.stdout;
}

export interface FixtureArray {
  file: string;
  shape: number[];
  layout: 'NCHW' | 'BTD' | 'BK' | 'HW';
}

export interface OnnxFixture {
  name: string;
  about: string;
  dir: string;
  model: string;
  opset: number;
  dynamicBatch: boolean;
  exportTraining: 'eval' | 'preserve';
  batchNormalizationInGraph: boolean;
  preprocessing: Preprocessing;
  numClasses: number;
  targetClass: number;
  probeModule: string;
  camModule: string | null;
  ig: { steps: number; baselineValues: number[] };
  dix3: { modules: string[]; steps: number } | null;
  arrays: Record<string, FixtureArray>;
}

export function fixtureNames(): string[] {
  return (JSON.parse(readFileSync(join(FIXTURES_DIR, 'index.json'), 'utf8')) as { fixtures: string[] }).fixtures;
}

export function readFixture(name: string): OnnxFixture {
  const dir = join(FIXTURES_DIR, name);
  const f = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Omit<OnnxFixture, 'dir'>;
  return { ...f, dir, model: join(dir, f.model) };
}

/** A fixture array as PyTorch stored it (the layout in the manifest) and its shape. */
export function fixtureArray(f: OnnxFixture, key: string): { data: Float32Array; shape: number[]; layout: FixtureArray['layout'] } {
  const meta = f.arrays[key];
  if (!meta) throw new Error(`${f.name}: no array "${key}" in expected.json`);
  const a = readNpy(join(f.dir, meta.file));
  if (!(a.data instanceof Float32Array)) throw new Error(`${f.name}/${meta.file} is not float32`);
  return { data: a.data, shape: [...a.shape], layout: meta.layout };
}

/** [B, C, H, W] -> [B, H, W, C]. */
export function nchwToNhwc(data: ArrayLike<number>, shape: number[]): { data: Float32Array; shape: number[] } {
  const [b, c, h, w] = shape;
  const out = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++) for (let k = 0; k < c; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    out[((n * h + i) * w + j) * c + k] = data[((n * c + k) * h + i) * w + j];
  }
  return { data: out, shape: [b, h, w, c] };
}

/** A fixture array in the workbench's layout: 4-D NCHW becomes NHWC, everything else is unchanged. */
export function channelsLast(f: OnnxFixture, key: string): { data: Float32Array; shape: number[] } {
  const a = fixtureArray(f, key);
  return a.layout === 'NCHW' ? nchwToNhwc(a.data, a.shape) : { data: a.data, shape: a.shape };
}

/** Ranks 1..n, ties sharing their average rank. */
function ranks(a: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: a.length }, (_, i) => i).sort((i, j) => a[i] - a[j]);
  const r = new Float64Array(a.length);
  for (let s = 0; s < idx.length;) {
    let e = s;
    while (e + 1 < idx.length && a[idx[e + 1]] === a[idx[s]]) e++;
    for (let t = s; t <= e; t++) r[idx[t]] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson correlation of average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) ** 2;
    sbb += (rb[i] - mean) ** 2;
  }
  return saa === 0 || sbb === 0 ? (saa === sbb ? 1 : 0) : sab / Math.sqrt(saa * sbb);
}
