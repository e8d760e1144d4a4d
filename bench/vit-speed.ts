// `npm run bench -- --vit [--quick]`: per-image time of every ViT method beside PyTorch on the same input and thread
// count (bench/vit_reference.py implements the same methods in PyTorch). Models: torchvision's vit_b_16 at 224x224
// (random weights) imported from ONNX; and the tiny ViT's shape (32x32, patch 4, 4 blocks of width 32, 4 heads), both
// as the built-in vit-tiny and as torchvision's VisionTransformer of that shape imported from ONNX. The ratios
// DIX3/IG are printed beside. Tiny: medians over 10 runs (--quick: 3) after one warm-up; vit_b_16 (skipped with
// --quick): one run per method without warm-up on both sides (a minute or two per method here), after the forward pass
// has warmed up, PyTorch and the workbench alternating method by method (vit_reference.py --serve), so that a change of
// load on a shared machine falls on both.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../main/engine/tf';
import { loadVisionModel } from '../main/engine/model/load-model';
import type { VisionModel } from '../main/engine/model/vision-model';
import { ViTVisionModel } from '../main/engine/model/vit/vit-vision-model';
import { vitTinyConfig } from '../main/engine/model/vit/vit-config';
import { PreprocessingSchema } from '../shared/preprocessing';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./vit_reference.py', import.meta.url));
const METHODS = ['rollout', 'gae', 'tattr', 'dix1', 'dix2', 'dix3', 'gradcam', 'ig'];

export interface VitRow { model: string; what: string; oursMs: number | null; torchMs: number | null; ratio: number | null; note?: string }
export interface VitSpeed { threads: number; backend: string; torchVersion: string | null; rows: VitRow[] }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function time(f: () => void, reps: number, warmup: boolean): number {
  if (warmup) f();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** ms per image of one method (or 'forward'), or null with the refusal when the model does not take it. */
function timeMethod(vm: VisionModel, x: tf.Tensor4D, what: string, reps: number, warmup: boolean): { ms: number | null; note?: string } {
  if (what === 'forward') return { ms: time(() => tf.tidy(() => { vm.predict(x).dataSync(); }), Math.max(reps, 3), true) };
  let plan;
  try {
    plan = planMethods(vm, [what], {});
  } catch (e) {
    return { ms: null, note: (e as Error).message };
  }
  return { ms: time(() => { explainImage(vm, x, plan); }, reps, warmup) };
}

/** ms per image of the forward pass and of each method the model takes (null + the refusal for the others). */
function timeMethods(vm: VisionModel, x: tf.Tensor4D, reps: number, warmup: boolean): Map<string, { ms: number | null; note?: string }> {
  return new Map(['forward', ...METHODS].map((what) => [what, timeMethod(vm, x, what, reps, warmup)]));
}

/** PyTorch kept running (vit_reference.py --serve), asked for one method at a time. */
class TorchServer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;

  constructor(args: string[]) {
    this.child = spawn(PYTHON, [SCRIPT, ...args, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /** The next JSON line; the script's stdout ends only when it exits, so a crash rejects here. */
  async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`bench/vit_reference.py exited (${this.child.exitCode})`);
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  async time(what: string): Promise<number> {
    this.child.stdin.write(`${what}\n`);
    return (await this.next()).ms as number;
  }

  close(): void {
    this.child.stdin.end('\n');
  }
}

/** Each method timed in PyTorch, then at once in the workbench, method by method (used for vit_b_16). */
export async function timeInterleaved(model: string, onnx: string, input: string, threads: number, x: tf.Tensor4D, reps: number, warmup: boolean):
  Promise<{ torch: string; ms: Record<string, number>; ours: Map<string, { ms: number | null; note?: string }> }> {
  const server = new TorchServer(['--model', model, '--out', onnx, '--input', input, '--threads', String(threads), '--reps', String(reps),
    '--warmup', warmup ? '1' : '0']);
  try {
    const ready = await server.next();
    const vm = await loadVisionModel(onnx);
    const ms: Record<string, number> = {};
    const ours = new Map<string, { ms: number | null; note?: string }>();
    try {
      for (const what of ['forward', ...METHODS]) {
        if (what !== 'tattr') ms[what] = await server.time(what);
        ours.set(what, timeMethod(vm, x, what, reps, warmup));
      }
    } finally {
      vm.dispose();
    }
    return { torch: ready.torch as string, ms, ours };
  } finally {
    server.close();
  }
}

function torchTimes(model: string, onnx: string, input: string, threads: number, reps: number, warmup: boolean): { torch: string; ms: Record<string, number> } {
  const stdout = execFileSync(PYTHON, [SCRIPT, '--model', model, '--out', onnx, '--input', input, '--threads', String(threads), '--reps', String(reps),
    '--warmup', warmup ? '1' : '0'],
    { encoding: 'utf8', timeout: 60 * 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { torch: string; ms: Record<string, number> };
}

export async function measureVitSpeed(o: { quick: boolean; threads: number }): Promise<VitSpeed> {
  const dir = mkdtempSync(join(tmpdir(), 'dixw-vit-bench-'));
  const result: VitSpeed = { threads: o.threads, backend: tf.getBackend(), torchVersion: null, rows: [] };
  const add = (model: string, ours: Map<string, { ms: number | null; note?: string }>, torch: Record<string, number>) => {
    for (const [what, { ms, note }] of ours) {
      const t = torch[what] ?? null;
      result.rows.push({ model, what, oursMs: ms, torchMs: t, ratio: ms !== null && t ? ms / t : null, ...(note ? { note } : {}) });
    }
  };
  try {
    const cases = [
      { name: 'tiny', size: 32, reps: o.quick ? 3 : 10, warmup: true },
      ...(o.quick ? [] : [{ name: 'vit_b_16', size: 224, reps: 1, warmup: false }]),
    ];
    for (const c of cases) {
      const x = tf.randomUniform([1, c.size, c.size, 3], -2, 2, 'float32', 11) as tf.Tensor4D;
      const input = join(dir, `${c.name}.bin`);
      writeFileSync(input, Buffer.from((x.dataSync() as Float32Array).buffer));
      const onnx = join(dir, `${c.name}.onnx`);
      if (c.name === 'vit_b_16') {
        const t = await timeInterleaved(c.name, onnx, input, o.threads, x, c.reps, c.warmup);
        result.torchVersion = t.torch;
        add('vit_b_16 224x224 (ONNX)', t.ours, t.ms);
        x.dispose();
        continue;
      }
      const torch = torchTimes(c.name, onnx, input, o.threads, c.reps, c.warmup);
      result.torchVersion = torch.torch;
      const imported = await loadVisionModel(onnx);
      add(c.name === 'tiny' ? 'tiny ViT (ONNX from torchvision)' : 'vit_b_16 224x224 (ONNX)', timeMethods(imported, x, c.reps, c.warmup), torch.ms);
      imported.dispose();
      if (c.name === 'tiny') {
        const prep = PreprocessingSchema.parse({ height: 32, width: 32, channels: 3, scale: 255, mean: [0], std: [1] });
        const builtIn = new ViTVisionModel(vitTinyConfig([32, 32, 3], 4, 0.5), prep, { seed: 1 });
        add('tiny ViT (built-in vit-tiny)', timeMethods(builtIn, x, c.reps, c.warmup), torch.ms);
        builtIn.dispose();
      }
      x.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export function printVitSpeed(r: VitSpeed): void {
  console.log(`\nViT methods, ${r.backend} with ${r.threads} thread(s), beside PyTorch ${r.torchVersion} (bench/vit_reference.py) on the same input and threads, N = 10, median ms per image:\n`);
  console.log('| model | method | ours ms | PyTorch ms | ours / PyTorch |');
  console.log('|---|---|---:|---:|---:|');
  for (const row of r.rows) {
    const ours = row.oursMs === null ? 'refused' : row.oursMs.toFixed(row.oursMs < 10 ? 1 : 0);
    console.log(`| ${row.model} | ${row.what} | ${ours} | ${row.torchMs === null ? '-' : row.torchMs.toFixed(row.torchMs < 10 ? 1 : 0)} | ${row.ratio === null ? '-' : row.ratio.toFixed(2)} |`);
  }
  console.log('\n| model | DIX3 / IG ours | DIX3 / IG PyTorch | DIX1 / IG ours |');
  console.log('|---|---:|---:|---:|');
  for (const model of [...new Set(r.rows.map((row) => row.model))]) {
    const get = (what: string) => r.rows.find((row) => row.model === model && row.what === what);
    const ratio = (a?: number | null, b?: number | null) => (a && b ? (a / b).toFixed(2) : '-');
    console.log(`| ${model} | ${ratio(get('dix3')?.oursMs, get('ig')?.oursMs)} | ${ratio(get('dix3')?.torchMs, get('ig')?.torchMs)} | ${ratio(get('dix1')?.oursMs, get('ig')?.oursMs)} |`);
  }
  console.log('\nPyTorch has no T-Attr timing (bench/vit_reference.py does not implement its LRP pass; scripts/onnx-vit-tattr-reference.py checks its values); on an ONNX ViT tattr runs on the encoder weights read from the graph.');
}
