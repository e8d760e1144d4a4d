// `npm run bench -- --metrics`: images per second for the whole metric set (NEG, POS, INS, DEL, ADP, PIC, SIC, AIC and
// the segmentation metrics) per method, on the small CNN (32x32) and on the VGG-16-shaped model (224x224), with the
// share of the time spent inside the model (every model.predict call, timed where it runs: the wasm and cpu backends
// execute kernels synchronously) against everything else (blackout and masking, WebP encodings, interpolation, AUCs,
// read-backs). SIC/AIC once with the protocol's lossless WebP effort 100 and once with a lower effort (an option the
// protocol card records). Maps are computed beforehand: this times the metrics, not the methods.
import { tf } from '../main/engine/tf';
import { initBackend } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel, type VisionModel } from '../main/engine/model/vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';
import { renderSynthSample, SYNTH_SHAPES } from '../main/engine/data/synth';
import { ImageState } from '../main/engine/metrics/image-state';
import { planMetrics } from '../main/engine/metrics/registry';
import { scoreMaps } from '../main/engine/metrics/score-maps';
import type { LayersModel } from '../main/engine/model/run-from';

export interface MetricSpeedRow {
  model: string;
  method: string;
  webpQuality: number;
  images: number;
  imagesPerSecond: number;
  /** Share of the metric time inside model.predict. */
  modelShare: number;
  /** Images SIC skipped (clean probability, start image): their SIC/AIC cost only the start image. */
  sicSkipped: number;
}

const METRICS = ['neg', 'pos', 'ins', 'del', 'adp', 'pic', 'sic', 'aic', 'seg'];

/** Counts the milliseconds spent in model.predict. */
function instrument(model: LayersModel): { ms: () => number; reset: () => void } {
  let total = 0;
  const original = model.predict.bind(model);
  model.predict = ((x: tf.Tensor | tf.Tensor[], args?: object) => {
    const t0 = performance.now();
    const y = original(x, args);
    total += performance.now() - t0;
    return y;
  }) as typeof model.predict;
  return { ms: () => total, reset: () => void (total = 0) };
}

async function benchModel(vm: VisionModel, label: string, methods: string[], images: number, qualities: number[]): Promise<MetricSpeedRow[]> {
  const { height: h, width: w, channels: c } = vm.preprocessing;
  const clock = instrument(vm.model);
  const samples = Array.from({ length: images }, (_, i) => {
    const s = renderSynthSample(1000 + i, SYNTH_SHAPES[i % SYNTH_SHAPES.length], h);
    const unit = Float32Array.from(s.rgb, (v) => v / 255);
    return { unit, mask: Uint8Array.from(s.mask) };
  });
  const plan = planMethods(vm, methods, {});
  const maps = samples.map((s) => {
    const x = tf.tensor4d(s.unit, [1, h, w, c]);
    const r = explainImage(vm, x, plan);
    x.dispose();
    return r.maps;
  });
  const rows: MetricSpeedRow[] = [];
  for (const quality of qualities) {
    // minProbability 0: an untrained model is rarely 50% sure, and the bench wants the SIC/AIC work done.
    const metrics = planMetrics(METRICS, { webpQuality: quality, minProbability: 0 });
    for (const method of methods) {
      let total = 0;
      let sicSkipped = 0;
      clock.reset();
      for (const [i, s] of samples.entries()) {
        const t0 = performance.now();
        const state = new ImageState({ vm, unit: s.unit, mask: s.mask, index: i, seed: 1, batchSize: 16 });
        const scores = await scoreMaps(state, [{ method, map: maps[i].find((m) => m.methodId === method)!.map }], metrics);
        state.dispose();
        total += performance.now() - t0;
        if (scores[method].sic.value === null) sicSkipped++;
      }
      rows.push({ model: label, method, webpQuality: quality, images, imagesPerSecond: (1000 * images) / total, modelShare: clock.ms() / total, sicSkipped });
    }
  }
  return rows;
}

export async function measureMetricSpeed(o: { quick: boolean; vggWidth: number; lowWebpQuality: number }): Promise<{ backend: string; rows: MetricSpeedRow[] }> {
  const info = await initBackend('wasm');
  const methods = ['dix3', 'gradcam', 'ig'];
  const qualities = [100, o.lowWebpQuality];
  const small = wrapModel(buildArchitecture('small-cnn', { inputShape: [32, 32, 3], numClasses: 10, seed: 1 }), null, 'bench', null);
  const rows = await benchModel(small, 'small-cnn 32x32', methods, o.quick ? 6 : 16, qualities);
  small.model.dispose();
  const vgg = wrapModel(buildArchitecture('vgg16', { inputShape: [224, 224, 3], numClasses: 1000, width: o.vggWidth, seed: 1 }), null, 'bench', null);
  rows.push(...(await benchModel(vgg, `vgg16 x${o.vggWidth} 224x224`, methods, o.quick ? 2 : 4, qualities)));
  vgg.model.dispose();
  return { backend: `${info.name} ${info.version} (${info.detail})`, rows };
}

export function printMetricSpeed(r: { backend: string; rows: MetricSpeedRow[] }): void {
  console.log(`\nWhole metric set (${METRICS.join(', ')}) per image and method, maps given, on ${r.backend}:\n`);
  console.log('| model | method | WebP effort (SIC/AIC) | images/s | in the model | everything else | SIC skipped |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    const other = 1 - x.modelShare;
    console.log(`| ${x.model} | ${x.method} | ${x.webpQuality} | ${x.imagesPerSecond.toFixed(2)} | ${(100 * x.modelShare).toFixed(0)}% | ${(100 * other).toFixed(0)}%${other < 0.25 ? '' : ' (over 25%)'} | ${x.sicSkipped}/${x.images} |`);
  }
}
