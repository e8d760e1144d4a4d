// `npm run bench -- --onnx [--quick]`: models imported from PyTorch. For torchvision's resnet18 and densenet121 at
// 224x224 (random weights, exported by bench/onnx_reference.py with Debian's python3-torch): load time, the process's
// peak memory, forward, Grad-CAM, IG and DIX3 per image on the active backend, beside PyTorch on the same input and
// thread count, as ratios; and resnet18 imported from ONNX beside the same network built as a LayersModel.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../main/engine/tf';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { loadVisionModel } from '../main/engine/model/load-model';
import type { VisionModel } from '../main/engine/model/vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';
import { resolveCutPoints } from '../main/engine/model/cut-points';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./onnx_reference.py', import.meta.url));
const MODELS = [
  { name: 'resnet18', cam: 'layer4', stages: 'layer2,layer3,layer4' },
  { name: 'densenet121', cam: 'features', stages: '' },
];

export interface OnnxRow { model: string; what: string; oursMs: number; torchMs: number | null; ratio: number | null }
export interface OnnxSpeed { threads: number; backend: string; torchVersion: string | null; loads: Array<{ model: string; loadMs: number; peakRssMb: number }>; rows: OnnxRow[] }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function timeMethods(vm: VisionModel, x: tf.Tensor4D, reps: number, layers: Record<string, string[] | undefined>): Map<string, number> {
  const out = new Map<string, number>();
  const fwd: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    tf.tidy(() => { vm.predict(x).dataSync(); });
    if (i > 0) fwd.push(performance.now() - t0);
  }
  out.set('forward', median(fwd));
  for (const method of ['gradcam', 'ig', 'dix3']) {
    if (method in layers && layers[method] === undefined) continue;
    const plan = planMethods(vm, [method], layers[method] ? { layers: layers[method] } : {});
    const times: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      explainImage(vm, x, plan);
      if (i > 0) times.push(performance.now() - t0);
    }
    out.set(method, median(times));
  }
  return out;
}

export async function measureOnnxSpeed(o: { quick: boolean; threads: number }): Promise<OnnxSpeed> {
  const dir = mkdtempSync(join(tmpdir(), 'dixw-onnx-bench-'));
  const reps = o.quick ? 1 : 3;
  const result: OnnxSpeed = { threads: o.threads, backend: tf.getBackend(), torchVersion: null, loads: [], rows: [] };
  let peak = 0;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  try {
    for (const m of MODELS) {
      const x = tf.randomUniform([1, 224, 224, 3], -2, 2, 'float32', 11) as tf.Tensor4D;
      const input = join(dir, `${m.name}.bin`);
      writeFileSync(input, Buffer.from((x.dataSync() as Float32Array).buffer));
      const onnx = join(dir, `${m.name}.onnx`);
      let torch: Record<string, number> = {};
      const r = JSON.parse(execFileSync(PYTHON, [SCRIPT, '--model', m.name, '--size', '224', '--out', onnx, '--input', input,
        '--threads', String(o.threads), '--reps', String(reps), '--cam', m.cam, ...(m.stages ? ['--stages', m.stages] : [])],
      { encoding: 'utf8', timeout: 60 * 60_000 }).trim().split('\n').at(-1)!) as { torch: string; ms: Record<string, number> };
      result.torchVersion = r.torch;
      torch = r.ms;
      peak = process.memoryUsage().rss;
      const t0 = performance.now();
      const vm = await loadVisionModel(onnx);
      const loadMs = performance.now() - t0;
      const dix3 = m.stages ? resolveCutPoints(vm, m.stages.split(',')).map((c) => c.name) : undefined;
      const ours = timeMethods(vm, x, reps, { gradcam: resolveCutPoints(vm, [m.cam]).map((c) => c.name), dix3 });
      result.loads.push({ model: m.name, loadMs, peakRssMb: peak / 2 ** 20 });
      for (const [what, ms] of ours) {
        const t = torch[what] ?? null;
        result.rows.push({ model: `${m.name} (ONNX)`, what, oursMs: ms, torchMs: t, ratio: t ? ms / t : null });
      }
      if (m.name === 'resnet18') {
        // The same network as a LayersModel: the executor must not be slower than it. Both use their default cut
        // points (the same rule), and are timed alternately, one rep each in turn, so that a load change on this
        // shared machine falls on both.
        const lm = wrapModel(buildArchitecture('resnet18', { inputShape: [224, 224, 3], numClasses: 1000, width: 1, seed: 1 }), null, 'bench', null);
        const pair = new Map<string, { onnx: number[]; layers: number[] }>();
        for (let i = 0; i < Math.max(3, reps); i++) {
          for (const [which, model] of [['onnx', vm], ['layers', lm]] as const) {
            for (const [what, ms] of timeMethods(model, x, 1, {})) {
              const p = pair.get(what) ?? { onnx: [], layers: [] };
              p[which].push(ms);
              pair.set(what, p);
            }
          }
        }
        for (const [what, p] of pair) {
          result.rows.push({ model: 'resnet18 (LayersModel)', what, oursMs: median(p.layers), torchMs: torch[what] ?? null, ratio: median(p.onnx) / median(p.layers) });
        }
        lm.dispose();
      }
      vm.dispose();
      x.dispose();
    }
  } finally {
    clearInterval(sample);
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export function printOnnxSpeed(r: OnnxSpeed): void {
  console.log(`\nModels from PyTorch (ONNX), 224x224, ${r.backend} with ${r.threads} thread(s), beside PyTorch ${r.torchVersion} on the same input and threads, N = 10, median ms per image:\n`);
  for (const l of r.loads) console.log(`${l.model}: load ${(l.loadMs / 1000).toFixed(1)} s, peak RSS ${l.peakRssMb.toFixed(0)} MB`);
  console.log('\n| model | what | ours ms | PyTorch ms | ratio |');
  console.log('|---|---|---:|---:|---:|');
  for (const row of r.rows) {
    console.log(`| ${row.model} | ${row.what} | ${row.oursMs.toFixed(0)} | ${row.torchMs === null ? '-' : row.torchMs.toFixed(0)} | ${row.ratio === null ? '-' : row.ratio.toFixed(2)} |`);
  }
  console.log('\nratio: ours / PyTorch for the ONNX rows; ONNX / LayersModel for the LayersModel rows, timed alternately with default cut points (below 1: the executor is faster).');
}
