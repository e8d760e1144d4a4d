// `npm run bench -- --metrics`: images per second for the whole metric set (NEG, POS, INS, DEL, ADP, PIC, SIC, AIC and
// the segmentation metrics) per method, on the small CNN (32x32) and on the VGG-16-shaped model (224x224), and how
// much of that time is the model. "Model alone" replays the run's exact model.predict calls (same batch shapes) after
// the run, with nothing beside them, so the share is not flattered by a model slowed down by busy worker threads; the
// share timed inside the run is shown beside it. Configurations, side by side in one run: SIC/AIC at the protocol's
// lossless WebP effort 100 with the image work on worker threads (the default), the same with no worker threads
// (DIXW_METRIC_THREADS=0), and a lower effort. Maps are computed beforehand: this times the metrics, not the methods.
// The first image of each configuration warms up (worker start, WebP encoder compile) and is not counted.
import { tf } from '../main/engine/tf';
import { initBackend } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../main/engine/model/vision-model';
import { explainImage, planMethods } from '../main/engine/explain/explain-image';
import { renderSynthSample, SYNTH_SHAPES } from '../main/engine/data/synth';
import { ImageState } from '../main/engine/metrics/image-state';
import { planMetrics } from '../main/engine/metrics/registry';
import { scoreMaps } from '../main/engine/metrics/score-maps';
import { setWebpThreads, webpPoolStats } from '../main/engine/metrics/webp-pool';
import { defaultThreadCount } from '../main/engine/threads/worker-pool';

export interface MetricSpeedRow {
  model: string;
  method: string;
  /** Maps per image: 1 for a method alone, else every method's map of the image scored together. */
  maps: number;
  webpQuality: number;
  /** Worker threads for SIC/AIC's images. */
  threads: number;
  images: number;
  /** 1 / the median time per image (for all its maps). */
  imagesPerSecond: number;
  /** The run's model.predict calls replayed alone, over the run's time. */
  modelShare: number;
  /** model.predict time inside the run, over the run's time. */
  modelShareInRun: number;
  /** Images SIC skipped (clean probability, start image): their SIC/AIC cost only the start image. */
  sicSkipped: number;
}

const METRICS = ['neg', 'pos', 'ins', 'del', 'adp', 'pic', 'sic', 'aic', 'seg'];

/** Counts the milliseconds in model.predict and records each call's input shape, for the replay. */
function instrument(model: VisionModel) {
  let total = 0;
  let shapes: number[][] = [];
  const original = model.predict.bind(model);
  model.predict = (x: tf.Tensor) => {
    shapes.push(x.shape);
    const t0 = performance.now();
    const y = original(x);
    total += performance.now() - t0;
    return y;
  };
  return {
    ms: () => total,
    reset: () => {
      total = 0;
      shapes = [];
    },
    /**
     * Milliseconds the recorded calls take again, alone (outputs read back, as the metrics do): the fastest of three
     * replays, which counts the model at its cheapest and so the rest at its largest.
     */
    replay: () => {
      const once = () => {
        let ms = 0;
        for (const shape of shapes) {
          const x = tf.randomUniform(shape, -1, 1);
          const t0 = performance.now();
          const y = original(x) as tf.Tensor;
          y.dataSync();
          ms += performance.now() - t0;
          tf.dispose([x, y]);
        }
        return ms;
      };
      return Math.min(once(), once(), once());
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function benchModel(vm: VisionModel, label: string, methods: string[], images: number, configs: Array<{ quality: number; threads: number; perMethod: boolean }>): Promise<MetricSpeedRow[]> {
  const { height: h, width: w, channels: c } = vm.preprocessing;
  const clock = instrument(vm);
  const samples = Array.from({ length: images + 1 }, (_, i) => {
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
  for (const { quality, threads, perMethod } of configs) {
    await setWebpThreads(threads);
    // minProbability 0: an untrained model is rarely 50% sure, and the bench wants the SIC/AIC work done.
    const metrics = planMetrics(METRICS, { webpQuality: quality, minProbability: 0 });
    const score = async (i: number, methodIds: string[]) => {
      const state = new ImageState({ vm, unit: samples[i].unit, mask: samples[i].mask, index: i, seed: 1, batchSize: 16 });
      const scores = await scoreMaps(state, methodIds.map((method) => ({ method, map: maps[i].find((m) => m.methodId === method)!.map })), metrics);
      state.dispose();
      return scores[methodIds[0]].sic.value === null;
    };
    await score(0, methods); // warm-up
    // One row per method (a job with that method alone), then one for all of them, as a job scores an image's maps.
    for (const method of [...(perMethod ? methods.map((m) => [m]) : []), methods]) {
      const times: number[] = [];
      let sicSkipped = 0;
      clock.reset();
      for (let i = 1; i <= images; i++) {
        const t0 = performance.now();
        if (await score(i, method)) sicSkipped++;
        times.push(performance.now() - t0);
      }
      const total = times.reduce((a, b) => a + b, 0);
      const inRun = clock.ms();
      const alone = clock.replay();
      rows.push({ model: label, method: method.join(' + '), maps: method.length, webpQuality: quality, threads: webpPoolStats().threads, images, imagesPerSecond: 1000 / median(times),
        modelShare: alone / total, modelShareInRun: inRun / total, sicSkipped });
    }
  }
  await setWebpThreads(null);
  return rows;
}

export async function measureMetricSpeed(o: { quick: boolean; vggWidth: number; lowWebpQuality: number }): Promise<{ backend: string; rows: MetricSpeedRow[] }> {
  const info = await initBackend('wasm');
  const methods = ['dix3', 'gradcam', 'ig'];
  const threads = defaultThreadCount();
  // Without worker threads only the all-maps row, for the comparison.
  const configs = [{ quality: 100, threads, perMethod: true }, { quality: 100, threads: 0, perMethod: false }, { quality: o.lowWebpQuality, threads, perMethod: true }];
  const small = wrapModel(buildArchitecture('small-cnn', { inputShape: [32, 32, 3], numClasses: 10, seed: 1 }), null, 'bench', null);
  const rows = await benchModel(small, 'small-cnn 32x32', methods, o.quick ? 6 : 16, configs);
  small.model.dispose();
  const vgg = wrapModel(buildArchitecture('vgg16', { inputShape: [224, 224, 3], numClasses: 1000, width: o.vggWidth, seed: 1 }), null, 'bench', null);
  rows.push(...(await benchModel(vgg, `vgg16 x${o.vggWidth} 224x224`, methods, o.quick ? 3 : 6, configs)));
  vgg.model.dispose();
  return { backend: `${info.name} ${info.version} (${info.detail})`, rows };
}

export function printMetricSpeed(r: { backend: string; rows: MetricSpeedRow[] }): void {
  console.log(`\nWhole metric set (${METRICS.join(', ')}) per image and method, maps given, on ${r.backend}:\n`);
  console.log('| model | maps per image | WebP effort | worker threads | images/s | maps/s | model alone | everything else | (model timed in the run) | SIC skipped |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    const other = 1 - x.modelShare;
    console.log(`| ${x.model} | ${x.method} | ${x.webpQuality} | ${x.threads} | ${x.imagesPerSecond.toFixed(2)} | ${(x.maps * x.imagesPerSecond).toFixed(2)} | ${(100 * x.modelShare).toFixed(0)}% | ${(100 * other).toFixed(0)}%${other < 0.25 ? '' : ' (over 25%)'} | ${(100 * x.modelShareInRun).toFixed(0)}% | ${x.sicSkipped}/${x.images} |`);
  }
}
