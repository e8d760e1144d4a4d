// `npm run bench -- --torch [--quick]`: per-image IG, DIX3 and Grad-CAM of the workbench beside PyTorch
// (bench/torch_reference.py, Debian's python3-torch run as /usr/bin/python3) on the same architectures, inputs and
// thread count, then job throughput with 1 and 2 worker processes (bench/throughput.ts). N = 10 interpolants, batched
// as the engine chooses them (all 10 when they fit in memory, backend/batch-memory.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../main/engine/tf';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';

export const TORCH_METHODS = ['ig', 'dix3', 'gradcam'] as const;
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch_reference.py', import.meta.url));

export interface TorchRow { model: string; method: string; oursMs: number; torchMs: number | null; ratio: number | null }
export interface TorchComparison { threads: number; torchVersion: string | null; rows: TorchRow[]; note?: string }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const MODELS = [
  { label: 'vgg16 64x64', arch: 'vgg16', torch: 'vgg16', size: 64 },
  { label: 'vgg16 224x224', arch: 'vgg16', torch: 'vgg16', size: 224 },
  { label: 'resnet18 224x224', arch: 'resnet18', torch: 'resnet18', size: 224 },
] as const;

export function measureTorchComparison(o: { quick: boolean; threads: number; models?: string[] }): TorchComparison {
  const dir = mkdtempSync(join(tmpdir(), 'dixw-torch-'));
  const rows: TorchRow[] = [];
  let torchVersion: string | null = null;
  let note: string | undefined;
  try {
    for (const m of MODELS) {
      if (o.models && !o.models.includes(m.label)) continue;
      const reps = m.size >= 224 ? (o.quick ? 1 : 3) : o.quick ? 3 : 7;
      const vm = wrapModel(buildArchitecture(m.arch, { inputShape: [m.size, m.size, 3], numClasses: 1000, width: 1, seed: 1 }), null, 'bench', null);
      const x = tf.randomUniform([1, m.size, m.size, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const input = join(dir, `${m.arch}-${m.size}.bin`);
      writeFileSync(input, Buffer.from((x.dataSync() as Float32Array).buffer));
      const ours = new Map<string, number>();
      for (const method of TORCH_METHODS) {
        const plan = planMethods(vm, [method], {});
        const times: number[] = [];
        for (let i = 0; i <= reps; i++) {
          const t0 = performance.now();
          explainImage(vm, x, plan);
          if (i > 0) times.push(performance.now() - t0);
        }
        ours.set(method, median(times));
      }
      x.dispose();
      vm.dispose();
      let torchMs: Record<string, number> | null = null;
      try {
        const out = execFileSync(PYTHON, [SCRIPT, '--model', m.torch, '--size', String(m.size), '--threads', String(o.threads),
          '--input', input, '--reps', String(reps), '--methods', TORCH_METHODS.join(',')], { encoding: 'utf8', timeout: 30 * 60_000 });
        const r = JSON.parse(out.trim().split('\n').at(-1)!) as { torch: string; ms: Record<string, number> };
        torchVersion = r.torch;
        torchMs = r.ms;
      } catch (err) {
        note = `PyTorch could not run (${(err as Error).message.split('\n')[0]}); install Debian's python3-torch and python3-torchvision.`;
      }
      for (const method of TORCH_METHODS) {
        const oursMs = ours.get(method)!;
        const t = torchMs?.[method] ?? null;
        rows.push({ model: m.label, method, oursMs, torchMs: t, ratio: t ? oursMs / t : null });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { threads: o.threads, torchVersion, rows, ...(note ? { note } : {}) };
}

export function printTorchComparison(r: TorchComparison): void {
  console.log(`\nPer image, ours (wasm, ${r.threads} thread${r.threads === 1 ? '' : 's'}) beside PyTorch ${r.torchVersion ?? '(not run)'} ` +
    `(torch.set_num_threads(${r.threads})), N = 10, same input, median ms:\n`);
  console.log('| model | method | ours ms | PyTorch ms | ours / PyTorch |');
  console.log('|---|---|---:|---:|---:|');
  for (const row of r.rows) {
    console.log(`| ${row.model} | ${row.method} | ${row.oursMs.toFixed(0)} | ${row.torchMs === null ? '-' : row.torchMs.toFixed(0)} | ${row.ratio === null ? '-' : row.ratio.toFixed(2)} |`);
  }
  if (r.note) console.log(`\n${r.note}`);
}
