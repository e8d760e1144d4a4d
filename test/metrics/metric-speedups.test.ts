// The metric speed-ups change no result: uint8 images go straight to the model's input space with the same float32
// arithmetic as the tensor ops; blacked-out images built in input space equal blacking out in [0, 1] space and then
// preprocessing; and SIC/AIC give identical values and curves whether their WebP encodings run on a worker thread or
// on the calling thread, prepared ahead or not.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { PreprocessingSchema, type Preprocessing } from '../../shared/preprocessing';
import { bytesToInput, predictUnits, unitToInput } from '../../main/engine/metrics/unit-input';
import { ImageState } from '../../main/engine/metrics/image-state';
import { MapState } from '../../main/engine/metrics/map-state';
import { blackoutCurve, removedCount } from '../../main/engine/metrics/blackout-curve';
import { ranksOf } from '../../main/engine/metrics/map-order';
import { planMetrics } from '../../main/engine/metrics/registry';
import { setWebpThreads, submitWebpSize, webpPoolStats } from '../../main/engine/metrics/webp-pool';
import { mulberry32 } from '../../main/engine/data/rng';
import { brightObjectModel, brightSamples } from './helpers';

after(() => setWebpThreads(null));

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

describe('metric inputs', () => {
  test('uint8 images to input space equal dividing by the scale and preprocessing as tensors, bit for bit', () => {
    const preps: Preprocessing[] = [
      PreprocessingSchema.parse({ height: 6, width: 5, channels: 3, ...IMAGENET }),
      PreprocessingSchema.parse({ height: 6, width: 5, channels: 1, mean: [0.5], std: [0.5] }),
      PreprocessingSchema.parse({ height: 6, width: 5, channels: 3 }),
    ];
    for (const prep of preps) {
      const n = 6 * 5 * prep.channels;
      const images = [0, 1, 2].map((s) => Uint8Array.from({ length: n }, (_, i) => (i * 97 + s * 31) % 256));
      const fast = bytesToInput(images, prep);
      const slow = tf.tidy(() => unitToInput(tf.div(tf.tensor4d(Float32Array.from(images.flatMap((b) => Array.from(b))), [3, 6, 5, prep.channels]), prep.scale) as tf.Tensor4D, prep));
      assert.deepEqual(Array.from(fast), Array.from(slow.dataSync()), `channels ${prep.channels}`);
      slow.dispose();
    }
  });

  test('blackout curves built in input space equal blacking out [0, 1] pixels and then preprocessing', () => {
    const S = 16;
    const prep = PreprocessingSchema.parse({ height: S, width: S, channels: 3, ...IMAGENET });
    const vm = wrapModel(buildArchitecture('small-cnn', { inputShape: [S, S, 3], numClasses: 5, width: 0.25, seed: 3 }), prep, 'cnn', null);
    const rnd = mulberry32(5);
    const unit = Float32Array.from({ length: S * S * 3 }, () => rnd());
    const raw = Float32Array.from({ length: S * S }, () => rnd());
    const image = new ImageState({ vm, unit, mask: null, index: 0, seed: 1, batchSize: 4 });
    const map = new MapState(raw, S, S);
    const fractions = [0, 0.1, 0.3, 0.5, 0.7, 0.9];
    const curve = blackoutCurve(image, map, 'most-first', fractions);
    // The unit-space formula: pixels of rank < k set to 0 in [0, 1], then the model's preprocessing.
    const rank = ranksOf(map.order('most-first'));
    const ks = fractions.slice(1).map((p) => removedCount(S * S, p));
    const units = tf.tensor4d(Float32Array.from(ks.flatMap((k) => Array.from(unit, (u, j) => (rank[Math.floor(j / 3)] < k ? 0 : u)))), [ks.length, S, S, 3]);
    const ref = predictUnits(vm, units, image.cleanClass, 4);
    units.dispose();
    assert.deepEqual(curve.prob.slice(1), Array.from(ref.prob));
    assert.deepEqual(curve.match.slice(1), Array.from(ref.top1, (t) => (t === image.cleanClass ? 1 : 0)));
    image.dispose();
    vm.dispose();
  });
});

describe('SIC/AIC with the WebP encodings on worker threads', () => {
  test('identical values and curves with a worker thread and without, prepared ahead or not; no tensor leaks', async () => {
    const S = 24;
    const vm = brightObjectModel(S);
    const samples = brightSamples(3, S, 11);
    const metrics = planMetrics(['sic', 'aic']);
    const rnd = mulberry32(9);
    const maps = samples.map((s) => [Float32Array.from(s.mask, (v) => v + 0.5 * rnd()), Float32Array.from(s.mask, () => rnd())]);
    const run = async (prepare: boolean) => {
      const out = [];
      for (const [i, s] of samples.entries()) {
        const image = new ImageState({ vm, unit: s.unit, mask: s.mask, index: i, seed: 1 });
        const states = maps[i].map((m) => new MapState(m, S, S));
        if (prepare) for (const st of states) for (const { metric, params } of metrics) metric.prepare?.(image, st, params);
        for (const st of states) for (const { metric, params } of metrics) out.push(await metric.score(image, st, params));
        image.dispose();
      }
      return out;
    };
    const before = tf.memory().numTensors;
    await setWebpThreads(0);
    const here = await run(false);
    assert.equal(webpPoolStats().worker, 0);
    await setWebpThreads(1);
    // Started and warm (the thread boots in a few hundred ms; until then the settling thread does the work itself).
    await submitWebpSize({ bytes: new Uint8Array(12).fill(9), height: 2, width: 2, channels: 3 }).promise;
    const threaded = await run(true);
    assert.ok(webpPoolStats().worker > 0, 'no encoding ran on the worker thread');
    assert.ok(here.some((s) => s.value !== null), 'no image was scored');
    assert.deepEqual(threaded, here);
    assert.deepEqual(await run(false), here);
    assert.equal(tf.memory().numTensors, before);
    vm.dispose();
  });
});

describe('SIC/AIC bootstrap', () => {
  test("the fast resampler gives exactly aggregate(resample).value, median and mean, skipped images included", () => {
    const rnd = mulberry32(21);
    // Monotone curves with random breakpoints, some images skipped, ties between images at some grid points.
    const scores = Array.from({ length: 37 }, (_, i) => {
      if (i % 9 === 4) return { value: null, skipped: 'clean probability below 0.5' };
      const xs = [0, ...Array.from({ length: 6 }, () => Math.round(rnd() * 20) / 20).sort((a, b) => a - b), 1];
      let best = 0;
      const ys = xs.map((_, k) => (k === 0 ? 0 : k === xs.length - 1 ? 1 : (best = Math.max(best, Math.round(rnd() * 10) / 10))));
      return { value: 0, curve: { x: xs, y: ys } };
    });
    for (const aggregation of ['median', 'mean'] as const) {
      const { metric, params } = planMetrics(['sic'], { aggregation })[0];
      const fast = metric.resampler!(scores, params);
      const r = mulberry32(5);
      for (let b = 0; b < 40; b++) {
        const n = b === 0 ? 3 : scores.length; // a tiny resample too
        const idx = Int32Array.from({ length: n }, () => Math.floor(r() * scores.length));
        const slow = metric.aggregate(Array.from(idx, (i) => scores[i]), params).value;
        assert.ok(Object.is(fast(idx), slow), `${aggregation} resample ${b}: ${fast(idx)} vs ${slow}`);
      }
      // Only skipped images: NaN, as aggregate.
      assert.ok(Number.isNaN(fast(Int32Array.from([4, 13, 22]))));
    }
  });
});
