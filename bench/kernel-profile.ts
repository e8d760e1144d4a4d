// Per-kernel profile of one wasm backward pass (issue 12): the input gradient of the class score at batch B, as IG's
// batched interpolants run it, on full-width VGG-16 and resnet18 at 224x224. tf.profile times every kernel TF.js
// dispatches (wall time; the wasm backend is synchronous); the table groups them by kernel and input shape.
//   node --import tsx bench/kernel-profile.ts [--arch vgg16|resnet18] [--size 224] [--batch 10] [--top 25]
import { parseArgs } from 'node:util';
import { tf } from '../main/engine/tf';
import { initBackend } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';

const { values } = parseArgs({ options: { arch: { type: 'string' }, size: { type: 'string' }, batch: { type: 'string' }, top: { type: 'string' } } });
const arch = values.arch ?? 'vgg16';
const size = Number(values.size ?? 224);
const batch = Number(values.batch ?? 10);
await initBackend('wasm');
const vm = wrapModel(buildArchitecture(arch, { inputShape: [size, size, 3], numClasses: 1000, width: 1, seed: 1 }), null, 'profile', null);
const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1);
const cut = vm.cuts[0];
const score = (a: tf.Tensor) => tf.sum(tf.slice(vm.tailLogits(cut, a), [0, 1], [-1, 1]));
tf.tidy(() => { tf.grad(score)(x).dataSync(); }); // warm-up: XNNPACK operators, heap growth
const t0 = performance.now();
const info = await tf.profile(() => { tf.tidy(() => { tf.grad(score)(x).dataSync(); }); });
const wall = performance.now() - t0;
const byKernel = new Map<string, { ms: number; n: number }>();
const byShape = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  if (k.name.endsWith('__op')) continue; // an op's scope around its kernel (fused conv/matmul): counted in the kernel
  const ms = k.kernelTimeMs as number;
  const a = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  byKernel.set(k.name, { ms: a.ms + ms, n: a.n + 1 });
  const key = `${k.name} ${k.inputShapes.map((s) => (s ? s.join('x') : '-')).join(', ')}`;
  const b = byShape.get(key) ?? { ms: 0, n: 0 };
  byShape.set(key, { ms: b.ms + ms, n: b.n + 1 });
}
const total = [...byKernel.values()].reduce((s, v) => s + v.ms, 0);
console.log(`\n${arch} ${size}x${size}, input gradient at batch ${batch}, wasm: ${total.toFixed(0)} ms in kernels (${wall.toFixed(0)} ms profiled wall)\n`);
console.log('| kernel | calls | ms | share |');
console.log('|---|---:|---:|---:|');
for (const [name, v] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) if (v.ms >= total * 0.002) console.log(`| ${name} | ${v.n} | ${v.ms.toFixed(0)} | ${((100 * v.ms) / total).toFixed(1)}% |`);
console.log(`\nTop kernel calls by input shape:\n`);
console.log('| kernel, input shapes | calls | ms |');
console.log('|---|---:|---:|');
for (const [key, v] of [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top ?? 25))) console.log(`| ${key} | ${v.n} | ${v.ms.toFixed(0)} |`);
process.exit(0);
