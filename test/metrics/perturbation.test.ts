// The model-based metrics on cases whose answers are known: a model and map for which the POS curve drops at a known
// step, INS/DEL curves of a linear model computed by hand (blackout in [0, 1] space before the model's own
// normalization), ADP/PIC of a masked image, SIC/AIC curves that are monotone and end at (1, 1), and no tensor leaks.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { ImageState } from '../../main/engine/metrics/image-state';
import { MapState } from '../../main/engine/metrics/map-state';
import { scoreMaps } from '../../main/engine/metrics/score-maps';
import { getMetric, planMetrics } from '../../main/engine/metrics/registry';
import { blackoutCurve } from '../../main/engine/metrics/blackout-curve';
import { mulberry32 } from '../../main/engine/data/rng';
import { brightObjectModel, linearModel, softmax } from './helpers';

before(async () => {
  await initBackend('wasm');
});

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('NEG/POS: the curve drops at a known step', () => {
  // 10 x 10 image, dark grey (0.2) with 30 white pixels. The bright-object model's logit is about 30 f_b - f_n - 1:
  // 7 on the clean image; removing k white pixels first gives about 7 - 0.29 k, below 0 from k = 25 on. POS removes
  // int(100 p) = 0, 10, 20, 30, ... pixels, so the top-1 holds at p = 0, 0.1, 0.2 and is lost from p = 0.3:
  // POS = 100 (0.2 + 0.1 / 2) = 25. NEG (background first) never loses it: 90.
  const S = 10;
  const white = Array.from({ length: 30 }, (_, i) => 7 + 3 * i); // scattered pixel indices
  const unit = new Float32Array(S * S * 3).fill(0.2);
  for (const p of white) unit.fill(1, 3 * p, 3 * p + 3);
  const map = Float32Array.from({ length: S * S }, (_, p) => (white.includes(p) ? 1 : 0.3));
  const metrics = planMetrics(['neg', 'pos', 'ins', 'del']);

  test('POS = 25, NEG = 90, and the probability curves fall and hold accordingly', async () => {
    const vm = brightObjectModel(S);
    const image = new ImageState({ vm, unit, mask: null, index: 0, seed: 0 });
    assert.equal(image.cleanClass, 1);
    const s = (await scoreMaps(image, [{ method: 'm', map }], metrics)).m;
    assert.deepEqual(s.pos.curve!.y, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    close(s.pos.value!, 25, 1e-9, 'POS');
    assert.deepEqual(s.neg.curve!.y, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    close(s.neg.value!, 90, 1e-9, 'NEG');
    // DEL's probabilities follow POS's ordering: above 0.5 up to p = 0.2, below from 0.3.
    const del = s.del.curve!.y;
    assert.ok(del.slice(0, 3).every((v) => v > 0.5) && del.slice(3).every((v) => v < 0.5));
    assert.ok(s.ins.curve!.y.every((v) => v > 0.5));
    for (let i = 3; i < 10; i++) assert.ok(s.ins.curve!.y[i] > del[i]);
    image.dispose();
    vm.dispose();
  });
});

describe('INS/DEL of a linear model, by hand', () => {
  const S = 6, C = 3, K = 3;
  const r = mulberry32(17);
  const W = Array.from({ length: S * S * C * K }, () => r() - 0.5);
  const b = [0.1, -0.2, 0.05];
  const mean = [0.4, 0.5, 0.45];
  const std = [0.2, 0.25, 0.3];
  const unit = Float32Array.from({ length: S * S * C }, () => r());
  // A map with ties (values on a coarse grid), so the tie rule matters.
  const map = Float32Array.from({ length: S * S }, () => Math.floor(r() * 5));

  function logits(u: ArrayLike<number>): number[] {
    const z = [...b];
    for (let i = 0; i < u.length; i++) for (let k = 0; k < K; k++) z[k] += ((u[i] - mean[i % C]) / std[i % C]) * W[i * K + k];
    return z;
  }

  test('the curves equal the closed form at every fraction, for both orderings and any batch size', async () => {
    const vm = linearModel(S, C, W, b, mean, std);
    const image = new ImageState({ vm, unit, mask: null, index: 0, seed: 0, batchSize: 3 });
    const clean = softmax(logits(unit));
    const top = clean.indexOf(Math.max(...clean));
    assert.equal(image.cleanClass, top);
    close(image.cleanProbability, clean[top], 1e-5, 'clean probability');
    const n = S * S;
    for (const [ordering, id] of [['most-first', 'del'], ['least-first', 'ins']] as const) {
      // Reference order: by value (descending for most-first), ties by index.
      const order = Array.from({ length: n }, (_, i) => i).sort((a, c) => (ordering === 'most-first' ? map[c] - map[a] : map[a] - map[c]) || a - c);
      const want = Array.from({ length: 10 }, (_, i) => {
        const k = Math.floor((n * i) / 10);
        const u = Float32Array.from(unit);
        for (const p of order.slice(0, k)) u.fill(0, p * C, p * C + C);
        return softmax(logits(u))[top];
      });
      const got = await getMetric(id).score(image, new MapState(map, S, S), getMetric(id).resolveParams({}));
      got.curve!.y.forEach((v, i) => close(v, want[i], 2e-5, `${id} p=${i / 10}`));
      const auc = 100 * want.slice(1).reduce((s, v, i) => s + 0.05 * (v + want[i]), 0);
      close(got.value!, auc, 1e-3, `${id} AUC`);
      const one = new ImageState({ vm, unit, mask: null, index: 0, seed: 0, batchSize: 1 });
      const other = blackoutCurve(one, new MapState(map, S, S), ordering, [0, 0.3, 0.6]);
      close(other.prob[2], want[6], 2e-5, 'batch size 1');
      one.dispose();
    }
    image.dispose();
    vm.dispose();
  });

  test('ADP/PIC: O is the target probability of image ⊙ map in [0, 1] space', async () => {
    const vm = linearModel(S, C, W, b, mean, std);
    const image = new ImageState({ vm, unit, mask: null, index: 0, seed: 0 });
    const m = Float32Array.from(map, (v) => v / 4); // already min-max: values 0..4 over 4
    const masked = Float32Array.from(unit, (v, i) => v * m[Math.floor(i / C)]);
    const y = softmax(logits(unit))[image.targetClass];
    const o = softmax(logits(masked))[image.targetClass];
    const s = (await scoreMaps(image, [{ method: 'm', map }], planMetrics(['adp', 'pic']))).m;
    close(s.adp.value!, (100 * Math.max(0, y - o)) / y, 1e-3, 'ADP');
    assert.equal(s.pic.value, y < o ? 100 : 0);
    image.dispose();
    vm.dispose();
  });
});

describe('SIC/AIC curves and tensor hygiene', () => {
  test('each scored image has a monotone curve in [0, 1] from (0, 0) to (1, 1); nothing leaks', async () => {
    const S = 16;
    const vm = brightObjectModel(S);
    const metrics = planMetrics(['all']);
    const r = mulberry32(3);
    const before = tf.memory().numTensors;
    let scored = 0;
    for (let i = 0; i < 6; i++) {
      const unit = new Float32Array(S * S * 3).fill(0.25);
      const mask = new Uint8Array(S * S);
      const x0 = 2 + (i % 5), y0 = 3 + (i % 4);
      for (let y = y0; y < y0 + 6; y++) for (let x = x0; x < x0 + 5; x++) {
        mask[y * S + x] = 1;
        unit.fill(0.95, 3 * (y * S + x), 3 * (y * S + x) + 3);
      }
      for (let k = 0; k < unit.length; k++) unit[k] = Math.min(1, Math.max(0, unit[k] + 0.05 * (r() - 0.5)));
      const image = new ImageState({ vm, unit, mask, index: i, seed: 1, batchSize: 8 });
      const s = (await scoreMaps(image, [{ method: 'm', map: Float32Array.from(mask, (v) => v + 0.1 * r()) }], metrics)).m;
      image.dispose();
      for (const id of ['sic', 'aic']) {
        if (s[id].value === null) continue;
        scored++;
        const { x, y } = s[id].curve!;
        assert.deepEqual([x[0], y[0], x[x.length - 1], y[y.length - 1]], [0, 0, 1, 1]);
        for (let k = 1; k < x.length; k++) assert.ok(x[k] >= x[k - 1]);
        assert.ok(y.every((v) => v >= 0 && v <= 1));
        assert.ok(s[id].value! >= 0 && s[id].value! <= 100);
      }
    }
    assert.ok(scored >= 3, `only ${scored} SIC/AIC curves were scored`);
    assert.equal(tf.memory().numTensors, before);
    vm.dispose();
  });
});
