// Probe (issue 12, goal 1): one method on one model through the engine's explain path at a given interpolant batch,
// in a fresh process (the wasm heap never shrinks): time per image, peak RSS, wasm heap, tensors. Prints one JSON line.
//   node --import tsx bench/probe-explain-memory.ts --arch vgg16 --size 224 --method ig --batch 10 [--images 2]
import { parseArgs } from 'node:util';
import { tf } from '../main/engine/tf';
import { initBackend } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';
import { wasmHeapBytes } from '../main/engine/backend/batch-memory';

const { values } = parseArgs({ options: { arch: { type: 'string' }, size: { type: 'string' }, batch: { type: 'string' },
  method: { type: 'string' }, images: { type: 'string' }, width: { type: 'string' }, legacy: { type: 'boolean' }, 'peak-tensors': { type: 'boolean' } } });
const size = Number(values.size ?? 224);
if (values.legacy) {
  // Before issue 12: the old BatchMatMul override and the stock copying Identity.
  process.env.DIXW_WASM_KERNELS = 'stock';
  await import('@tensorflow/tfjs-backend-wasm');
  (await import('./legacy-matmul-grad')).installLegacyMatMulGrad();
}
await initBackend('wasm');
const vm = wrapModel(buildArchitecture(values.arch ?? 'vgg16', { inputShape: [size, size, 3], numClasses: 1000, width: Number(values.width ?? 1), seed: 1 }), null, 'probe', null);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const heapAfterBuild = wasmHeapBytes();
const plan = planMethods(vm, [values.method ?? 'ig'], values.batch ? { batchSize: Number(values.batch) } : {});
const times: number[] = [];
let peakTensorBytes = 0;
for (let i = 0; i < Number(values.images ?? 2); i++) {
  const x = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', i + 1) as tf.Tensor4D;
  const t0 = performance.now();
  explainImage(vm, x, plan);
  times.push(performance.now() - t0);
  x.dispose();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
if (values['peak-tensors']) {
  // tf.profile slows every kernel down: one more image, untimed, for the peak of live tensor bytes.
  const x = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 99) as tf.Tensor4D;
  peakTensorBytes = (await tf.profile(() => { explainImage(vm, x, plan); })).peakBytes;
  x.dispose();
}
clearInterval(sampler);
const cut = vm.cuts[0];
console.log(JSON.stringify({ arch: values.arch ?? 'vgg16', size, method: values.method ?? 'ig', batch: values.batch ?? 'auto', legacy: Boolean(values.legacy), times: times.map(Math.round),
  peakRssMB: Math.round(peakRss / 1e6), peakTensorMB: Math.round(peakTensorBytes / 1e6), weightsMB: Math.round(vm.countParams() * 4 / 1e6), wasmHeapAfterBuildMB: Math.round(heapAfterBuild / 1e6), wasmHeapMB: Math.round(wasmHeapBytes() / 1e6),
  tailBytesInputMB: Math.round(vm.tailActivationBytes(cut) / 1e6), tensors: tf.memory().numTensors }));
process.exit(0);
