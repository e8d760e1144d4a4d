// npm run bench -- --webgpu: the webgpu backend beside wasm, per method, on the same model and images. On the software
// driver (Mesa lavapipe, as in CI) this is for the record: webgpu there is a CPU emulating a GPU and is slower than wasm.
// The first image is reported apart: on webgpu it includes compiling the shaders (once per worker: the pipeline count
// stays flat after it, which the row shows).
import { tf } from '../main/engine/tf';
import { initBackend } from '../main/engine/backend/select-backend';
import { releaseWebGpu, webGpuAdapter } from '../main/engine/backend/webgpu';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';

export interface WebGpuSpeedRow {
  model: string;
  backend: 'wasm' | 'webgpu';
  device: string;
  /** Whole image (all methods), first image: on webgpu with shader compilation. */
  firstImageMs: number;
  /** Median over the later images. */
  imageMs: number;
  perMethodMs: Record<string, number>;
  /** webgpu: compiled pipelines after the first image and after the last (equal = compiled once). */
  pipelines: [number, number] | null;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function pipelineCount(): number {
  const b = tf.backend() as unknown as { pipelineCache?: Record<string, unknown> };
  return b.pipelineCache ? Object.keys(b.pipelineCache).length : 0;
}

const MODELS = [
  { name: 'small-cnn 32x32', arch: 'small-cnn', size: 32, width: 0.5 },
  { name: 'resnet18 64x64 (width 0.25)', arch: 'resnet18', size: 64, width: 0.25 },
];

export async function measureWebGpuSpeed(quick: boolean, methods: string[]): Promise<WebGpuSpeedRow[]> {
  const images = quick ? 3 : 6;
  const rows: WebGpuSpeedRow[] = [];
  for (const m of MODELS) {
    for (const backend of ['wasm', 'webgpu'] as const) {
      try {
        await initBackend(backend);
      } catch (e) {
        console.log(`webgpu bench: ${backend} unavailable (${(e as Error).message}); skipped`);
        continue;
      }
      const model = buildArchitecture(m.arch, { inputShape: [m.size, m.size, 3], numClasses: 10, width: m.width, seed: 1 });
      const vm = wrapModel(model, null, 'bench', null);
      const plan = planMethods(vm, methods, { steps: 10 });
      const totals: number[] = [];
      const per: Record<string, number[]> = {};
      let afterFirst = 0;
      for (let i = 0; i < images; i++) {
        const x = tf.randomUniform([1, m.size, m.size, 3], 0, 1, 'float32', 100 + i) as tf.Tensor4D;
        const t0 = performance.now();
        const r = explainImage(vm, x, plan);
        totals.push(performance.now() - t0);
        x.dispose();
        if (i === 0) afterFirst = pipelineCount();
        else for (const map of r.maps) (per[map.methodId] ??= []).push(map.millis);
      }
      rows.push({ model: m.name, backend, device: backend === 'webgpu' ? webGpuAdapter()?.description ?? '?' : 'wasm SIMD',
        firstImageMs: totals[0], imageMs: median(totals.slice(1)),
        perMethodMs: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)])),
        pipelines: backend === 'webgpu' ? [afterFirst, pipelineCount()] : null });
      model.dispose();
    }
  }
  releaseWebGpu();
  return rows;
}

export function printWebGpuSpeed(rows: WebGpuSpeedRow[]): void {
  console.log('\nwebgpu beside wasm (ms per image, all methods; per method: median of the images after the first)');
  for (const r of rows) {
    const pipes = r.pipelines ? `, pipelines ${r.pipelines[0]} -> ${r.pipelines[1]}` : '';
    console.log(`${r.model.padEnd(28)} ${r.backend.padEnd(7)} first image ${r.firstImageMs.toFixed(0).padStart(7)}  later ${r.imageMs.toFixed(0).padStart(7)}${pipes}  [${r.device}]`);
    console.log(`    ${Object.entries(r.perMethodMs).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  }
}
