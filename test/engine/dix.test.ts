// DIX (paper Eq. 5, docs/methods.md §1.2) against maps computed by hand in plain JS. The hand model is input -> three 2x2
// average pools -> flatten -> dense without bias, so every f^l is linear with a known constant gradient g^l, and
// each m^l = psi((x - z)/N ⊙ sum_{n=1..N} (z + n/N (x - z)) ⊙ g) can be evaluated by a literal loop. A second model
// with a squared tail (g = 2 w ⊙ r) checks that g is taken at the interpolants. The aggregation (mean, product) and
// phi = g of the variants are also checked on a relu CNN against dixLayerMap.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { ImageContext } from '../../main/engine/explain/image-context';
import { dixLayerMap, type DixParams } from '../../main/engine/explain/methods/dix-base';
import { channelMinBaseline } from '../../main/engine/explain/path-integral';
import { getMethod } from '../../main/engine/explain/registry';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import {
  assertClose, at, avgPool2Ref, channelMeanRef, channelMinRef, maxAbsDiff, resizeBilinearRef, uniform, values,
} from './helpers';

before(async () => {
  await initBackend('wasm');
});

type ST = ReturnType<typeof tfl.input>;
const S = 16;
const C = 3;
const K = 4;

/** input 16x16x3 -> pool1 8x8 -> pool2 4x4 -> pool3 2x2 -> flatten -> dense(K, no bias) with weights W [12, K]. */
function poolModel(W: number[]): LayersModel {
  const input = tfl.input({ shape: [S, S, C], name: 'input' });
  let x: ST = input;
  for (const name of ['pool1', 'pool2', 'pool3']) x = tfl.layers.averagePooling2d({ poolSize: 2, name }).apply(x) as ST;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as ST;
  const dense = tfl.layers.dense({ units: K, useBias: false, name: 'logits' });
  x = dense.apply(x) as ST;
  const model = tfl.model({ inputs: input, outputs: x });
  dense.setWeights([tf.tensor2d(W, [2 * 2 * C, K])]);
  return model;
}

interface Layer { name: string; size: number; x: number[]; g: number[] }

/** The activations at the three cuts and the (constant) gradients of f_k there, computed by hand. */
function handLayers(x0: number[], W: number[], k: number): Layer[] {
  const x1 = avgPool2Ref(x0, 16, 16, C);
  const x2 = avgPool2Ref(x1, 8, 8, C);
  const x3 = avgPool2Ref(x2, 4, 4, C);
  // d f_k / d x3 = W[:, k] in flatten (h, w, c) order; each average pool spreads it over its 2x2 window / 4.
  const g3 = Array.from({ length: 2 * 2 * C }, (_, i) => W[i * K + k]);
  const up = (g: number[], size: number) => {
    const out: number[] = [];
    for (let h = 0; h < size; h++) for (let w = 0; w < size; w++) for (let c = 0; c < C; c++) {
      out.push(g[at(h >> 1, w >> 1, c, size / 2, C)] / 4);
    }
    return out;
  };
  const g2 = up(g3, 4);
  const g1 = up(g2, 8);
  return [{ name: 'pool1', size: 8, x: x1, g: g1 }, { name: 'pool2', size: 4, x: x2, g: g2 }, { name: 'pool3', size: 2, x: x3, g: g3 }];
}

function logitsRef(x0: number[], W: number[]): number[] {
  const x3 = handLayers(x0, W, 0)[2].x;
  return Array.from({ length: K }, (_, k) => x3.reduce((s, v, i) => s + v * W[i * K + k], 0));
}

interface RefOptions {
  steps: number;
  baseline?: 'channel-min' | 'zero' | 'global-min';
  integrand?: 'activation-times-gradient' | 'gradient';
  /** First interpolation index (1 per the paper; 0 is a wrong variant used to show the test can tell). */
  first?: number;
  /** Gradient at a point r (default: the layer's constant g). */
  grad?: (r: number[]) => number[];
}

/** A^l = (x - z)/N ⊙ sum_{n} phi(r(n/N), g(r(n/N))), literally. */
function pathIntegralRef(x: number[], size: number, constG: number[], o: RefOptions): number[] {
  const N = o.steps;
  const first = o.first ?? 1;
  const mins = channelMinRef(x, size, size, C);
  const globalMin = Math.min(...x);
  const z = x.map((_, i) => (o.baseline === 'zero' ? 0 : o.baseline === 'global-min' ? globalMin : mins[i % C]));
  const acc = new Array<number>(x.length).fill(0);
  for (let n = first; n < first + N; n++) {
    const r = x.map((xi, i) => z[i] + (n / N) * (xi - z[i]));
    const g = o.grad ? o.grad(r) : constG;
    for (let i = 0; i < x.length; i++) acc[i] += o.integrand === 'gradient' ? g[i] : r[i] * g[i];
  }
  return x.map((xi, i) => ((xi - z[i]) / N) * acc[i]);
}

/** m^l = psi(A^l): channel mean, then bilinear resize to the input size. */
function layerMapRef(layer: Layer, o: RefOptions): number[] {
  const a = pathIntegralRef(layer.x, layer.size, layer.g, o);
  return resizeBilinearRef(channelMeanRef(a, layer.size, layer.size, C), layer.size, layer.size, S, S);
}

const meanOf = (maps: number[][]) => maps[0].map((_, i) => maps.reduce((s, m) => s + m[i], 0) / maps.length);
const minMaxRef = (m: number[]) => {
  const lo = Math.min(...m);
  const hi = Math.max(...m);
  return m.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
};

describe('DIX on a model whose tails are linear (hand-computed maps)', () => {
  // Per-channel offsets make the channel minima differ from each other and from the global minimum and from 0.
  const x0 = uniform(21, S * S * C, 0, 1).map((v, i) => v + [0.5, -1.0, 2.0][i % C]);
  const W = uniform(22, 2 * 2 * C * K, -1, 1);
  let vm: VisionModel;
  let input: tf.Tensor4D;
  let k: number;
  let layers: Layer[];

  before(() => {
    vm = wrapModel(poolModel(W), null, 'hand', null);
    input = tf.tensor4d(x0, [1, S, S, C]);
    const logits = logitsRef(x0, W);
    k = logits.indexOf(Math.max(...logits));
    layers = handLayers(x0, W, k);
  });

  const run = (ids: string[], options: Parameters<typeof planMethods>[2] = {}, target?: number) =>
    explainImage(vm, input, planMethods(vm, ids, options), target);

  test('the model and the hand reference agree on the logits and on the default cut points', () => {
    assertClose(values(vm.predict(input)), logitsRef(x0, W), 1e-5, 'logits');
    assert.deepEqual(planMethods(vm, ['dix3'], {})[0].params.layers, ['pool1', 'pool2', 'pool3']);
  });

  test('DIX1 = m^L with the channel-min baseline, t = n/N for n = 1..N, channel mean, bilinear resize', () => {
    const r = run(['dix1']);
    assert.equal(r.targetClass, k);
    assert.deepEqual(r.maps[0].cutPoints, ['pool3']);
    assert.equal(r.maps[0].params.steps, 10);
    assert.equal(r.maps[0].params.baseline, 'channel-min');
    const got = r.maps[0].map;
    const want = layerMapRef(layers[2], { steps: 10 });
    assertClose(got, want, 1e-5, 'DIX1');
    // The test can tell the paper's choices from plausible mistakes.
    const scale = Math.max(...want.map(Math.abs));
    for (const [what, wrong] of [
      ['baseline 0', layerMapRef(layers[2], { steps: 10, baseline: 'zero' })],
      ['global-min baseline', layerMapRef(layers[2], { steps: 10, baseline: 'global-min' })],
      ['n = 0..N-1', layerMapRef(layers[2], { steps: 10, first: 0 })],
      ['phi = g', layerMapRef(layers[2], { steps: 10, integrand: 'gradient' })],
    ] as const) {
      assert.ok(maxAbsDiff(got, wrong) > 1e-3 * scale, `DIX1 indistinguishable from the variant with ${what}`);
    }
  });

  test('each layer map and the mean aggregation of DIX2 and DIX3, for every class', () => {
    for (let cls = 0; cls < K; cls++) {
      const ls = handLayers(x0, W, cls);
      const m = ls.map((l) => layerMapRef(l, { steps: 10 }));
      const r = run(['dix2', 'dix3'], {}, cls);
      assert.deepEqual(r.maps[0].cutPoints, ['pool2', 'pool3']);
      assert.deepEqual(r.maps[1].cutPoints, ['pool1', 'pool2', 'pool3']);
      assertClose(r.maps[0].map, meanOf([m[1], m[2]]), 1e-5, `DIX2 class ${cls}`);
      assertClose(r.maps[1].map, meanOf(m), 1e-5, `DIX3 class ${cls}`);
    }
  });

  test('DIX2-MUL is the product m^{L-1} ⊙ m^L; DIX3-GRADS uses phi = g (= (x - z) ⊙ g for a linear tail)', () => {
    const r = run(['dix2-mul', 'dix3-grads']);
    const m = layers.map((l) => layerMapRef(l, { steps: 10 }));
    assertClose(r.maps[0].map, m[1].map((v, i) => v * m[2][i]), 1e-5, 'DIX2-MUL');
    const grads = layers.map((l) => layerMapRef(l, { steps: 10, integrand: 'gradient' }));
    assertClose(r.maps[1].map, meanOf(grads), 1e-5, 'DIX3-GRADS');
    assert.equal(r.maps[1].params.integrand, 'gradient');
    assert.equal(r.maps[0].params.aggregate, 'product');
  });

  test('options: steps, batch size (uneven last batch), zero baseline, per-layer min-max', () => {
    const [a, b, c] = [
      run(['dix1'], { steps: 7, batchSize: 3 }),
      run(['dix1'], { steps: 7, baseline: 'zero' }),
      run(['dix2'], { normalizeLayers: true }),
    ];
    assert.ok(!('batchSize' in a.maps[0].params), 'the batch size is a run setting, not part of the map\'s parameters');
    assertClose(a.maps[0].map, layerMapRef(layers[2], { steps: 7 }), 1e-5, 'N = 7 in batches of 3');
    assertClose(b.maps[0].map, layerMapRef(layers[2], { steps: 7, baseline: 'zero' }), 1e-5, 'zero baseline');
    const norm = meanOf([minMaxRef(layerMapRef(layers[1], { steps: 10 })), minMaxRef(layerMapRef(layers[2], { steps: 10 }))]);
    assertClose(c.maps[0].map, norm, 1e-5, 'normalizeLayers');
  });

  test('an explicit --layers override is used and stored in params', () => {
    const plan = planMethods(vm, ['dix2', 'dix1'], { layers: ['pool1', 'pool3'] });
    assert.deepEqual(plan[0].params.layers, ['pool1', 'pool3']);
    assert.deepEqual(plan[1].params.layers, ['pool1', 'pool3']);
    const r = explainImage(vm, input, plan);
    assert.deepEqual(r.maps[0].cutPoints, ['pool1', 'pool3']);
    const want = meanOf([layerMapRef(layers[0], { steps: 10 }), layerMapRef(layers[2], { steps: 10 })]);
    assertClose(r.maps[0].map, want, 1e-5, 'DIX2 at pool1, pool3');
    // DIX at the input itself (l = 0) is allowed by name and leaves the caller's input tensor alive.
    const atInput = run(['dix1'], { layers: ['input'] });
    assert.deepEqual(atInput.maps[0].cutPoints, ['input']);
    assert.ok(!input.isDisposed, 'explaining at the input cut disposed the caller\'s input');
    const g0 = handGradInput(layers[0].g);
    const want0 = resizeBilinearRef(channelMeanRef(pathIntegralRef(x0, S, g0, { steps: 10 }), S, S, C), S, S, S, S);
    assertClose(atInput.maps[0].map, want0, 1e-5, 'DIX1 at the input');
  });
});

/** d f_k / d input from d f_k / d pool1 (8x8): spread over each 2x2 window / 4. */
function handGradInput(g1: number[]): number[] {
  const out: number[] = [];
  for (let h = 0; h < S; h++) for (let w = 0; w < S; w++) for (let c = 0; c < C; c++) out.push(g1[at(h >> 1, w >> 1, c, 8, C)] / 4);
  return out;
}

describe('the gradient is taken at each interpolant (squared tail, g = 2 w ⊙ r)', () => {
  test('DIX1 at a cut followed by x ↦ x ⊙ x -> flatten -> dense', () => {
    const w = uniform(31, 2 * 2 * C * 2, -1, 1);
    const input = tfl.input({ shape: [4, 4, C], name: 'input' });
    const pool = tfl.layers.averagePooling2d({ poolSize: 2, name: 'pool' }).apply(input) as ST;
    const sq = tfl.layers.multiply({ name: 'sq' }).apply([pool, pool]) as ST;
    const flat = tfl.layers.flatten({ name: 'flatten' }).apply(sq) as ST;
    const dense = tfl.layers.dense({ units: 2, useBias: false, name: 'logits' });
    const model = tfl.model({ inputs: input, outputs: dense.apply(flat) as ST });
    dense.setWeights([tf.tensor2d(w, [2 * 2 * C, 2])]);
    const vm = wrapModel(model, null, 'sq', null);
    const x0 = uniform(32, 4 * 4 * C, -1, 2);
    const x = tf.tensor4d(x0, [1, 4, 4, C]);
    const xp = avgPool2Ref(x0, 4, 4, C);
    for (const cls of [0, 1]) {
      const wk = Array.from({ length: 2 * 2 * C }, (_, i) => w[i * 2 + cls]);
      const r = explainImage(vm, x, planMethods(vm, ['dix1'], { layers: ['pool'], steps: 5 }), cls);
      const a = pathIntegralRef(xp, 2, [], { steps: 5, grad: (rr) => rr.map((v, i) => 2 * wk[i] * v) });
      const want = resizeBilinearRef(channelMeanRef(a, 2, 2, C), 2, 2, 4, 4);
      assertClose(r.maps[0].map, want, 1e-5, `class ${cls}`);
      const atX = pathIntegralRef(xp, 2, xp.map((v, i) => 2 * wk[i] * v), { steps: 5 });
      assert.ok(maxAbsDiff(r.maps[0].map, resizeBilinearRef(channelMeanRef(atX, 2, 2, C), 2, 2, 4, 4)) > 1e-3,
        'indistinguishable from g taken at x');
    }
    x.dispose();
    model.dispose();
  });
});

describe('DIX aggregation on a relu CNN, against dixLayerMap', () => {
  test('dix2 = mean, dix2-mul = product, dix3-grads = mean of phi = g maps; the baseline is the channel minimum', () => {
    const model = buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 5, width: 0.25, seed: 7 });
    const vm = wrapModel(model, null, 'h', null);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const plan = planMethods(vm, ['dix2', 'dix2-mul', 'dix3-grads'], { steps: 6 });
    const r = explainImage(vm, x, plan);
    const ctx = new ImageContext(vm, x, plan.flatMap((p) => p.method.cutPoints(vm, p.params)));
    const p2 = plan[0].params as DixParams;
    const p3 = plan[2].params as DixParams;
    const [m1, m2] = p2.layers.map((l) => values(tf.tidy(() => dixLayerMap(ctx, l, p2))));
    const grads = p3.layers.map((l) => values(tf.tidy(() => dixLayerMap(ctx, l, p3))));
    assertClose(r.maps[0].map, m1.map((v, i) => (v + m2[i]) / 2), 1e-6, 'dix2');
    assertClose(r.maps[1].map, m1.map((v, i) => v * m2[i]), 1e-6, 'dix2-mul');
    assertClose(r.maps[2].map, meanOf(grads), 1e-6, 'dix3-grads');
    assert.ok(maxAbsDiff(r.maps[0].map, r.maps[1].map) > 0);
    // The baseline of a real activation: per channel, the spatial minimum.
    const act = ctx.activation(vm.cuts.find((c) => c.name === 'block2_pool')!);
    const [, h, w, c] = act.shape;
    const z = channelMinBaseline(act);
    assert.deepEqual(z.shape, [1, 1, 1, c]);
    assertClose(values(z), channelMinRef(values(act), h, w, c), 0, 'channel-min baseline');
    z.dispose();
    ctx.dispose();
    x.dispose();
    model.dispose();
  });

  test('every DIX variant has the documented configuration', () => {
    const cfg = (id: string) => {
      const vm = wrapModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 3, width: 0.25, seed: 1 }), null, 'h', null);
      const p = getMethod(id).resolveParams(vm, {}) as DixParams;
      vm.dispose();
      return [p.layers.length, p.integrand, p.aggregate, p.steps, p.baseline];
    };
    assert.deepEqual(cfg('dix1'), [1, 'activation-times-gradient', 'mean', 10, 'channel-min']);
    assert.deepEqual(cfg('dix2'), [2, 'activation-times-gradient', 'mean', 10, 'channel-min']);
    assert.deepEqual(cfg('dix3'), [3, 'activation-times-gradient', 'mean', 10, 'channel-min']);
    assert.deepEqual(cfg('dix2-mul'), [2, 'activation-times-gradient', 'product', 10, 'channel-min']);
    assert.deepEqual(cfg('dix3-grads'), [3, 'gradient', 'mean', 10, 'channel-min']);
  });
});
