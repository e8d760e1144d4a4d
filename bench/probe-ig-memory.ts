// Probe (goal 1 of issue 12): one IG-style input gradient of a model at batch B, in a fresh process, with time, peak
// RSS, the wasm heap size and a per-kernel profile. Usage:
//   node --import tsx bench/probe-ig-memory.ts --arch vgg16 --size 224 --batch 10 [--profile] [--reps 2] [--no-fast]
import { parseArgs } from 'node:util';
import { tf } from '../main/engine/tf';
import { initBackend } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wasmHeapBytes } from '../main/engine/backend/batch-memory';

const { values } = parseArgs({ options: { arch: { type: 'string' }, size: { type: 'string' }, batch: { type: 'string' },
  profile: { type: 'boolean' }, reps: { type: 'string' }, width: { type: 'string' }, backend: { type: 'string' } } });
const arch = values.arch ?? 'vgg16';
const size = Number(values.size ?? 224);
const batch = Number(values.batch ?? 10);
const reps = Number(values.reps ?? 2);
await initBackend((values.backend as 'wasm') ?? 'wasm');
const model = buildArchitecture(arch, { inputShape: [size, size, 3], numClasses: 1000, width: Number(values.width ?? 1), seed: 1 });
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const rssAfterBuild = process.memoryUsage().rss;
const heapAfterBuild = wasmHeapBytes();
const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
const score = (a: tf.Tensor) => tf.sum(tf.slice(model.apply(a) as tf.Tensor, [0, 3], [-1, 1]));
const times: number[] = [];
let kernels: Array<{ name: string; ms: number; n: number }> = [];
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  if (values.profile && i === reps - 1) {
    const info = await tf.profile(() => { const g = tf.grad(score)(x); g.dataSync(); return g; });
    const by = new Map<string, { ms: number; n: number }>();
    for (const k of info.kernels) {
      const e = by.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number;
      e.n++;
      by.set(k.name, e);
    }
    kernels = [...by].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
    info.result && (info.result as tf.Tensor).dispose?.();
  } else {
    const g = tf.grad(score)(x);
    g.dataSync();
    g.dispose();
  }
  times.push(performance.now() - t0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
clearInterval(sampler);
const out = { arch, size, batch, times: times.map(Math.round), msPerSample: Math.round(Math.min(...times) / batch),
  rssAfterBuildMB: Math.round(rssAfterBuild / 1e6), peakRssMB: Math.round(peakRss / 1e6),
  wasmHeapAfterBuildMB: Math.round(heapAfterBuild / 1e6), wasmHeapMB: Math.round(wasmHeapBytes() / 1e6), tensors: tf.memory().numTensors, kernels };
console.log(JSON.stringify(out));
process.exit(0);
