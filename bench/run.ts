// `npm run bench`: per-image time of every method on a VGG-16-shaped model at 224x224 and on the small CNN at
// 28x28, on each available backend, measured side by side in one run (medians, and the ratios the engine promises:
// DIX1/Grad-CAM, DIX3/IG, DIX3/Grad-CAM); the prefix-once design against a naive DIX that reruns the prefix per
// interpolant; the tensor count after 1 and after 100 images; the stored size of 224x224 DIX and IG maps; and the
// main process's event-loop delay while a job runs. Options: --quick (fewer images), --width X (VGG width multiplier,
// default 0.25; 1 = the published VGG-16), --backends wasm,cpu, --cpu-vgg, --out FILE (JSON). --metrics runs only the
// metric-speed section instead (images/s of the whole metric set per method, model share; --webp-quality Q, default 10).
// --torch runs only the comparison with PyTorch and the worker throughput (bench/torch-compare.ts, bench/throughput.ts).
// --webgpu runs only the webgpu backend beside wasm, first image apart (bench/webgpu-speed.ts); on a hardware adapter,
// --backends webgpu,wasm gives the full table on it.
// --throughput runs only the job throughput with 1 and 2 workers beside the machine's two-process ceiling.
// --fleet runs only the queue's per-item overhead, Redis fleet against the local queue (bench/fleet-speed.ts).
// --startup runs only the start-up time of the compiled output beside the sources through tsx (bench/startup.ts).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tf } from '../main/engine/tf';
import { initBackend, tryBackend, type BackendName } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../main/engine/model/vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';
import { METHOD_IDS as ALL_METHOD_IDS } from '../main/engine/explain/registry';
import { naiveDixPerInterpolant } from './naive-dix';
import { measureEventLoopDuringJob, type EventLoopResult } from './event-loop';
import { measureMapSizes, type MapSizeRow } from './map-sizes';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, vit: { type: 'boolean' }, width: { type: 'string' }, backends: { type: 'string' },
  out: { type: 'string' }, 'leak-images': { type: 'string' }, 'cpu-vgg': { type: 'boolean' }, 'all-methods': { type: 'boolean' },
  metrics: { type: 'boolean' }, 'webp-quality': { type: 'string' }, sanity: { type: 'boolean' }, startup: { type: 'boolean' }, torch: { type: 'boolean' },
  'torch-models': { type: 'string' }, onnx: { type: 'boolean' }, webgpu: { type: 'boolean' }, 'conv-floor': { type: 'boolean' },
  fleet: { type: 'boolean' }, throughput: { type: 'boolean' } } });
// DIX and the baselines the engine's speed targets name; --all-methods adds the slower baselines of docs/methods.md §3 (Guided IG
// alone takes over a minute per 224x224 image on the VGG-shaped model).
const CORE_METHODS = ['dix1', 'dix2', 'dix3', 'dix2-mul', 'dix3-grads', 'ig', 'gradcam', 'gradcam++', 'xgradcam', 'layercam'];
const METHOD_IDS = values['all-methods'] ? ALL_METHOD_IDS : CORE_METHODS;
const quick = Boolean(values.quick);

// PyTorch beside us must be PyTorch at its speed. Debian's python3-torch does its matrix products through the system
// BLAS: with the reference BLAS (libblas3 alone) a vit_b_16 forward pass took 9.5 s, with OpenBLAS 0.31 s (conv layers
// go through oneDNN either way). Say which one is in use, and keep OpenBLAS on the threads PyTorch is given.
process.env.OPENBLAS_NUM_THREADS ??= process.env.DIXW_WASM_THREADS ?? '1';
{
  const { realpathSync, existsSync } = await import('node:fs');
  const blas = '/usr/lib/x86_64-linux-gnu/libblas.so.3';
  const target = existsSync(blas) ? realpathSync(blas) : null;
  if (target) {
    console.log(`PyTorch's BLAS: ${target}`);
    if (/\/blas\/libblas/.test(target)) console.warn('Warning: the reference BLAS makes PyTorch\'s matrix products 20x slow; apt-get install libopenblas0-pthread for a fair comparison.');
  }
}
const vggWidth = Number(values.width ?? 0.25);

// --startup: only the start-up time of the compiled output (npm run build) beside the sources through tsx
// (bench/startup.ts): dixw --help, dixw methods, web mode until its URL.
if (values.startup) {
  const { measureStartup, printStartup } = await import('./startup');
  const runs = quick ? 3 : 7;
  const rows = await measureStartup(runs);
  printStartup(rows, runs);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), startup: rows }, null, 2));
  process.exit(0);
}

// --fleet: only the queue's per-item overhead, the Redis fleet against the local SQLite queue (bench/fleet-speed.ts).
if (values.fleet) {
  const { measureFleetSpeed, printFleetSpeed } = await import('./fleet-speed');
  const r = await measureFleetSpeed({ quick });
  printFleetSpeed(r);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), fleet: r }, null, 2));
  process.exit(0);
}

// --sanity: only the sanity-test speed section (bench/sanity-speed.ts).
if (values.sanity) {
  const { measureSanitySpeed, printSanitySpeed } = await import('./sanity-speed');
  await initBackend('wasm');
  printSanitySpeed(measureSanitySpeed(quick ? 2 : 5, vggWidth));
  process.exit(0);
}

// --vit: only the ViT methods on vit_b_16 224x224 (ONNX) and on the tiny ViT (built-in and ONNX), beside PyTorch
// (bench/vit-speed.ts).
if (values.vit) {
  const { measureVitSpeed, printVitSpeed } = await import('./vit-speed');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await initBackend('wasm');
  const r = await measureVitSpeed({ quick, threads: wasm.getThreadsCount() });
  printVitSpeed(r);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), vit: r }, null, 2));
  process.exit(0);
}

// --webgpu: only the webgpu backend beside wasm on two small models, first image (shader compilation) apart.
if (values.webgpu) {
  const { measureWebGpuSpeed, printWebGpuSpeed } = await import('./webgpu-speed');
  const r = await measureWebGpuSpeed(quick, METHOD_IDS);
  printWebGpuSpeed(r);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), webgpu: r }, null, 2));
  process.exit(0);
}

// --onnx: only models imported from PyTorch (resnet18, densenet121 at 224x224): load, memory, forward and methods beside
// PyTorch, and the ONNX executor beside the same network as a LayersModel (bench/onnx-speed.ts).
if (values.onnx) {
  const { measureOnnxSpeed, printOnnxSpeed } = await import('./onnx-speed');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await initBackend('wasm');
  const r = await measureOnnxSpeed({ quick, threads: wasm.getThreadsCount() });
  printOnnxSpeed(r);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), onnx: r }, null, 2));
  process.exit(0);
}

// --conv-floor: only one 3x3 convolution (forward and input gradient) beside PyTorch: the floor under every method.
if (values['conv-floor']) {
  const { measureConvFloor, printConvFloor } = await import('./conv-floor');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await initBackend('wasm');
  printConvFloor(measureConvFloor({ threads: wasm.getThreadsCount(), quick }), wasm.getThreadsCount(), tf.getBackend());
  process.exit(0);
}

// --throughput: only the job throughput with 1 and 2 workers and the machine's two-process ceiling.
if (values.throughput) {
  const { measureThroughput, printThroughput } = await import('./throughput');
  const thr = await measureThroughput({ quick });
  printThroughput(thr);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), throughput: thr }, null, 2));
  process.exit(0);
}

// --torch: only the PyTorch comparison (IG, DIX3, Grad-CAM on VGG-16 64x64 and 224x224 and resnet18 224x224, full
// width, beside bench/torch_reference.py on the same thread count) and job throughput with 1 and 2 workers.
// DIXW_WASM_THREADS=2 compares 2 threads with torch on 2 threads. --torch-models "vgg16 64x64,..." picks models.
if (values.torch) {
  const { measureTorchComparison, printTorchComparison } = await import('./torch-compare');
  const { measureThroughput, printThroughput } = await import('./throughput');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await initBackend('wasm');
  const cmp = measureTorchComparison({ quick, threads: wasm.getThreadsCount(), models: values['torch-models']?.split(',') });
  printTorchComparison(cmp);
  const thr = await measureThroughput({ quick });
  printThroughput(thr);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), torch: cmp, throughput: thr }, null, 2));
  process.exit(0);
}

// --metrics: only the metric-speed section (bench/metrics-speed.ts), which takes a few minutes on its own.
if (values.metrics) {
  const { measureMetricSpeed, printMetricSpeed } = await import('./metrics-speed');
  const r = await measureMetricSpeed({ quick, vggWidth, lowWebpQuality: Number(values['webp-quality'] ?? 10) });
  printMetricSpeed(r);
  if (values.out) writeFileSync(values.out, JSON.stringify({ started: new Date().toISOString(), metricSpeed: r }, null, 2));
  process.exit(0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Row { backend: string; model: string; method: string; medianMs: number; runs: number }

/** Times every method on `images` random inputs, methods interleaved per image so that drift hits all alike. */
function timeMethods(vm: VisionModel, backend: string, label: string, images: number, warmup = 1): Row[] {
  const { height: h, width: w, channels: c } = vm.preprocessing;
  const plans = METHOD_IDS.map((id) => planMethods(vm, [id], {}));
  const times = new Map<string, number[]>(METHOD_IDS.map((id) => [id, []]));
  for (let i = 0; i < warmup + images; i++) {
    const x = tf.randomUniform([1, h, w, c], 0, 1, 'float32', i) as tf.Tensor4D;
    for (const plan of plans) {
      const t0 = performance.now();
      explainImage(vm, x, plan); // includes the prefix forward pass and reading the map back
      if (i >= warmup) times.get(plan[0].method.id)!.push(performance.now() - t0);
    }
    x.dispose();
  }
  return METHOD_IDS.map((id) => ({ backend, model: label, method: id, medianMs: median(times.get(id)!), runs: images }));
}

function leakCheck(vm: VisionModel, n: number): { after1: number; afterN: number; n: number } {
  const { height: h, width: w, channels: c } = vm.preprocessing;
  const plan = planMethods(vm, METHOD_IDS, {});
  let after1 = 0;
  for (let i = 1; i <= n; i++) {
    const x = tf.randomUniform([1, h, w, c], 0, 1, 'float32', i) as tf.Tensor4D;
    explainImage(vm, x, plan);
    x.dispose();
    if (i === 1) after1 = tf.memory().numTensors;
  }
  return { after1, afterN: tf.memory().numTensors, n };
}

const available: BackendName[] = [];
for (const b of (values.backends ?? 'wasm,cpu').split(',') as BackendName[]) {
  try { await tryBackend(b); available.push(b); } catch { /* not here */ }
}
const rows: Row[] = [];
const naive: Array<{ backend: string; prefixOnceMs: number; naiveMs: number }> = [];
let leak: ReturnType<typeof leakCheck> | null = null;
let mapSizes: MapSizeRow[] = [];
const started = new Date().toISOString();
for (const b of available) {
  const info = await initBackend(b);
  const small = wrapModel(buildArchitecture('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 }), null, 'bench', null);
  rows.push(...timeMethods(small, `${info.name} (${info.detail})`, 'small-cnn 28x28', quick ? 5 : 20, 2));
  if (!leak && b === available[0]) leak = leakCheck(small, Number(values['leak-images'] ?? 100));
  const vggImages = b === 'cpu' ? 1 : quick ? 2 : 3;
  // The cpu backend is about 35x slower than wasm on the VGG-shaped model: opt in with --cpu-vgg.
  if (b === 'cpu' && (quick || !values['cpu-vgg'])) { small.model.dispose(); continue; }
  const vgg = wrapModel(buildArchitecture('vgg16', { inputShape: [224, 224, 3], numClasses: 1000, width: vggWidth, seed: 1 }), null, 'bench', null);
  rows.push(...timeMethods(vgg, `${info.name} (${info.detail})`, `vgg16 x${vggWidth} 224x224`, vggImages, 1));
  if (b === available[0]) {
    const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const plan = planMethods(vgg, ['dix3'], {});
    const a: number[] = [];
    const n: number[] = [];
    for (let i = 0; i < vggImages + 1; i++) {
      let t0 = performance.now();
      explainImage(vgg, x, plan);
      if (i) a.push(performance.now() - t0);
      t0 = performance.now();
      naiveDixPerInterpolant(vgg, x, plan[0].params as { layers: string[]; steps: number });
      if (i) n.push(performance.now() - t0);
    }
    x.dispose();
    naive.push({ backend: info.name, prefixOnceMs: median(a), naiveMs: median(n) });
    mapSizes = measureMapSizes(vgg, quick ? 3 : 8);
  }
  vgg.model.dispose();
  small.model.dispose();
}

const get = (backend: string, model: string, m: string) => rows.find((r) => r.backend === backend && r.model === model && r.method === m)?.medianMs ?? NaN;
console.log(`\nDIX Workbench benchmark, ${started}, Node ${process.version}, ${(await import('node:os')).cpus()[0].model} x ${(await import('node:os')).cpus().length}`);
console.log('\nMedian ms per image (prefix forward pass, method, map read back):\n');
const groups = [...new Set(rows.map((r) => `${r.backend}|${r.model}`))];
console.log(`| method | ${groups.map((g) => g.replace('|', ', ')).join(' | ')} |`);
console.log(`|---|${groups.map(() => '---:').join('|')}|`);
for (const m of METHOD_IDS) console.log(`| ${m} | ${groups.map((g) => get(g.split('|')[0], g.split('|')[1], m).toFixed(1)).join(' | ')} |`);
console.log('\nRatios (same run, same backend):\n');
console.log('| backend, model | DIX1/Grad-CAM | DIX3/IG | DIX3/Grad-CAM |');
console.log('|---|---:|---:|---:|');
for (const g of groups) {
  const [b, mdl] = g.split('|');
  const r = (x: string, y: string) => (get(b, mdl, x) / get(b, mdl, y)).toFixed(2);
  console.log(`| ${b}, ${mdl} | ${r('dix1', 'gradcam')} | ${r('dix3', 'ig')} | ${r('dix3', 'gradcam')} |`);
}
for (const n of naive) {
  console.log(`\nDIX3 on vgg16 x${vggWidth} 224x224, ${n.backend}: prefix once + batched tail ${n.prefixOnceMs.toFixed(0)} ms; prefix rerun per interpolant ${n.naiveMs.toFixed(0)} ms (${(n.naiveMs / n.prefixOnceMs).toFixed(2)}x slower)`);
}
if (leak) console.log(`\nTensors after 1 image: ${leak.after1}; after ${leak.n} images: ${leak.afterN} (${leak.after1 === leak.afterN ? 'flat' : 'LEAK'})`);
if (mapSizes.length) {
  console.log(`\nStored map size, 224x224, vgg16 x${vggWidth} on synthetic images (map codec, budget 16 KB):\n`);
  console.log('| method | maps | median KB | max KB | stored grid | max error at 224x224 after min-max |');
  console.log('|---|---:|---:|---:|---|---:|');
  for (const r of mapSizes) console.log(`| ${r.method} | ${r.maps} | ${r.medianKB.toFixed(1)} | ${r.maxKB.toFixed(1)} | ${r.grids} | ${r.maxError.toExponential(1)} |`);
}
const loop: EventLoopResult = await measureEventLoopDuringJob(quick ? 24 : 80);
console.log(`\nMain-process event loop while an explain job runs (${loop.images} images of 32x32, ${loop.methods.join(', ')}, every map stored; ` +
  `worker on ${loop.backend}, ${loop.itemsPerSecond.toFixed(1)} images/s): delay p50 ${loop.p50Ms.toFixed(1)} ms, p99 ${loop.p99Ms.toFixed(1)} ms, ` +
  `max ${loop.maxMs.toFixed(1)} ms (${loop.p99Ms < 50 ? 'under' : 'OVER'} the 50 ms bound)`);
if (values.out) writeFileSync(values.out, JSON.stringify({ started, rows, naive, leak, mapSizes, eventLoop: loop }, null, 2));
