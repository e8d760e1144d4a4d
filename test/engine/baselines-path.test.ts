// Guided IG, Blur IG and SmoothGrad on identities and hand-computed cases: Guided IG's path reaches the input, is exact
// on a linear model, is IG (left Riemann sum) when it may not leave the straight line, and moves the features with the
// smallest gradients first (a worked 4-feature case); Blur IG's kernel is scipy's, its blur matches a direct
// convolution, the method equals PAIR's loop on a linear model and is complete up to its discretization; SmoothGrad of
// a linear model is |W| whatever the noise, and its noise is fixed by the seed. No tensor leaks.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { guidedIgPath } from '../../main/engine/explain/methods/guided-ig-path';
import { blurMatrix, gaussianBlurHW, gaussianKernel1d } from '../../main/engine/explain/methods/gaussian-blur';
import { blurSigmas } from '../../main/engine/explain/methods/blur-ig';
import { assertClose, liveTensors, maxAbsDiff, sum, uniform, values } from './helpers';
import { linearModel } from '../metrics/helpers';

before(async () => {
  await initBackend('wasm');
});

const f64 = (a: number[]) => Float64Array.from(a);

describe('Guided IG path (PAIR algorithm)', () => {
  test('a worked case: the smallest |gradient| moves first; attributions use the gradient where each feature moved', () => {
    // f = c . x + e x0 x1, gradient c + e [x1, x0, 0, 0]; baseline 0, input 1; steps 2, fraction 0.25, maxDist 1.
    // Step 1 (gradient c at 0; target L1 2): feature 0 (|0.1|) moves fully, then feature 2 (|0.2|) closes the gap.
    // Step 2 (gradient at [1, 0, 1, 0]: g1 = -0.5 + 0.3 = -0.2, g3 = 1): feature 1 then 3 move.
    const c = [0.1, -0.5, 0.2, 1.0];
    const e = 0.3;
    const grad = (x: Float64Array) => f64([c[0] + e * x[1], c[1] + e * x[0], c[2], c[3]]);
    const { attribution, end } = guidedIgPath(f64([1, 1, 1, 1]), f64([0, 0, 0, 0]), grad, { steps: 2, fraction: 0.25, maxDist: 1 });
    assertClose(attribution, [0.1, -0.2, 0.2, 1.0], 1e-12, 'attribution');
    assert.deepEqual(Array.from(end), [1, 1, 1, 1]);
    assert.ok(Math.abs(sum(attribution) - (sum(c) + e)) < 1e-12, 'complete: f(1) - f(0) = sum(c) + e');
  });

  test('on a linear function the attribution is (x - x\') ⊙ w exactly, and the path ends at the input', () => {
    const n = 50;
    const w = uniform(1, n, -1, 1);
    const x = f64(uniform(2, n, -2, 2));
    const xb = f64(uniform(3, n, -0.5, 0.5));
    const { attribution, end } = guidedIgPath(x, xb, () => f64(w), { steps: 20, fraction: 0.25, maxDist: 0.02 });
    assertClose(attribution, Array.from(x, (v, i) => (v - xb[i]) * w[i]), 1e-9, 'attribution');
    assert.ok(maxAbsDiff(end, x) < 1e-9);
  });

  test('with maxDist = 0 it is IG with the left Riemann sum on the straight line', () => {
    const n = 12;
    const a = uniform(4, n, -1, 1);
    const grad = (x: Float64Array) => f64(Array.from(x, (v, i) => 3 * a[i] * v * v + Math.cos(v)));
    const x = f64(uniform(5, n, -1, 1));
    const xb = f64(new Array(n).fill(0.2));
    const steps = 16;
    const { attribution } = guidedIgPath(x, xb, grad, { steps, fraction: 0.25, maxDist: 0 });
    const want = new Array(n).fill(0);
    for (let s = 0; s < steps; s++) {
      const g = grad(f64(Array.from(x, (v, i) => xb[i] + (s / steps) * (v - xb[i]))));
      for (let i = 0; i < n; i++) want[i] += ((x[i] - xb[i]) / steps) * g[i];
    }
    assertClose(attribution, want, 1e-9, 'left Riemann IG');
  });

  test('completeness up to the discretization on a non-linear function', () => {
    const n = 30;
    const a = uniform(6, n, -1, 1);
    const f = (x: Float64Array) => Array.from(x).reduce((s, v, i) => s + a[i] * v * v * v + Math.sin(v), 0);
    const grad = (x: Float64Array) => f64(Array.from(x, (v, i) => 3 * a[i] * v * v + Math.cos(v)));
    const x = f64(uniform(7, n, -1, 1));
    const xb = f64(new Array(n).fill(0));
    const { attribution } = guidedIgPath(x, xb, grad, { steps: 400, fraction: 0.25, maxDist: 0.02 });
    const delta = f(x) - f(xb);
    assert.ok(Math.abs(sum(attribution) - delta) < 0.02 * Math.abs(delta), `${sum(attribution)} vs ${delta}`);
  });
});

/** scipy.ndimage.gaussian_filter(x, [s, s, 0], mode='constant') by a direct loop. */
function blurRef(x: number[], H: number, W: number, C: number, sigma: number): number[] {
  const k = Array.from(gaussianKernel1d(sigma));
  const r = (k.length - 1) / 2;
  const tmp = new Array(x.length).fill(0);
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) {
    for (let t = -r; t <= r; t++) if (i + t >= 0 && i + t < H) tmp[(i * W + j) * C + c] += k[t + r] * x[((i + t) * W + j) * C + c];
  }
  const out = new Array(x.length).fill(0);
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) {
    for (let t = -r; t <= r; t++) if (j + t >= 0 && j + t < W) out[(i * W + j) * C + c] += k[t + r] * tmp[(i * W + j + t) * C + c];
  }
  return out;
}

describe('Blur IG', () => {
  test("the kernel is scipy's: radius int(4 sigma + 0.5), normalized Gaussian weights, sigma 0.01 is the identity", () => {
    const k = gaussianKernel1d(1);
    assert.equal(k.length, 9);
    assertClose(Array.from(k.slice(0, 5)), [1.33830625e-4, 4.43186162e-3, 5.39911274e-2, 2.41971446e-1, 3.98943469e-1], 1e-8, 'sigma 1');
    assert.equal(gaussianKernel1d(1.2).length, 11);
    assert.deepEqual(Array.from(gaussianKernel1d(0.01)), [1]);
    assert.deepEqual(Array.from(gaussianKernel1d(0)), [1]);
    // Row i of the blur matrix is the kernel centred on i, cut at the border (zeros outside).
    const g = blurMatrix(5, 1);
    assertClose(Array.from(g.slice(0, 5)), Array.from(k.slice(4, 9)), 1e-7, 'first row');
  });

  test('the tensor blur equals a direct convolution with zero padding, also with a kernel wider than the image', () => {
    const [H, W, C] = [7, 9, 3];
    const x = uniform(9, H * W * C, -1, 1);
    for (const sigma of [0.6, 1.5, 6]) {
      const t = tf.tensor4d(x, [1, H, W, C]);
      const b = gaussianBlurHW(t, sigma);
      assertClose(values(b), blurRef(x, H, W, C, sigma), 1e-5, `sigma ${sigma}`);
      tf.dispose([t, b]);
    }
  });

  test("on a linear model the map equals PAIR's loop; the attributions sum to about f(x) - f(blur(x, maxSigma))", () => {
    const [S, C, K] = [8, 3, 2] as const;
    const W = uniform(10, S * S * C * K, -1, 1);
    const vm = linearModel(S, C, W, [0.1, -0.1], [0.5], [0.25]);
    const unit = uniform(11, S * S * C, 0, 1);
    const x = unit.map((u) => (u - 0.5) / 0.25);
    const k = 1;
    const w = Array.from({ length: S * S * C }, (_, i) => W[i * K + k]);
    const p = { maxSigma: 6, steps: 40, gradStep: 0.01, sqrtSigmas: false };
    const sig = blurSigmas(p);
    const attr = new Array(x.length).fill(0);
    for (let i = 0; i < p.steps; i++) {
      const b0 = blurRef(x, S, S, C, sig[i]);
      const b1 = blurRef(x, S, S, C, sig[i] + p.gradStep);
      for (let j = 0; j < x.length; j++) attr[j] -= (sig[i + 1] - sig[i]) * ((b1[j] - b0[j]) / p.gradStep) * w[j];
    }
    const want = Array.from({ length: S * S }, (_, q) => attr[q * 3] + attr[q * 3 + 1] + attr[q * 3 + 2]);
    const input = tf.tensor4d(x, [1, S, S, C]);
    const r = explainImage(vm, input, planMethods(vm, ['blur-ig'], { steps: 40, maxSigma: 6, batchSize: 7 }), k);
    assertClose(r.maps[0].map, want, 1e-4, 'map');
    assert.deepEqual(r.maps[0].params, { maxSigma: 6, steps: 40, gradStep: 0.01, sqrtSigmas: false });
    const blurred = blurRef(x, S, S, C, 6);
    const delta = x.reduce((s, v, j) => s + (v - blurred[j]) * w[j], 0);
    assert.ok(Math.abs(sum(r.maps[0].map) - delta) < 0.1 * Math.abs(delta), `${sum(r.maps[0].map)} vs ${delta}`);
    input.dispose();
    vm.dispose();
  });
});

describe('Guided IG and SmoothGrad as methods', () => {
  const [S, C, K] = [6, 3, 3] as const;
  const W = uniform(20, S * S * C * K, -1, 1);
  let vm: VisionModel;
  before(() => {
    vm = linearModel(S, C, W, [0, 0.2, -0.2], [0.4, 0.5, 0.6], [0.2, 0.3, 0.25]);
  });
  const x = uniform(21, S * S * C, -1, 1);
  const wk = (k: number) => Array.from({ length: S * S * C }, (_, i) => W[i * K + k]);
  const channelSum = (a: number[]) => Array.from({ length: S * S }, (_, q) => a[q * C] + a[q * C + 1] + a[q * C + 2]);

  test('Guided IG on a linear model: (x - black) ⊙ w summed over channels, black = 0 in [0, 1] space, preprocessed', () => {
    const input = tf.tensor4d(x, [1, S, S, C]);
    const black = [0.4, 0.5, 0.6].map((m, c) => (0 - m) / [0.2, 0.3, 0.25][c]);
    const r = explainImage(vm, input, planMethods(vm, ['guided-ig'], { steps: 12 }), 2);
    assertClose(r.maps[0].map, channelSum(x.map((v, i) => (v - black[i % C]) * wk(2)[i])), 1e-4, 'map');
    assert.deepEqual(r.maps[0].params, { steps: 12, fraction: 0.25, maxDist: 0.02, baseline: 'black' });
    input.dispose();
  });

  test('SmoothGrad of a linear model is sum_c |w| whatever the noise; its parameters hold the noise and the seed', () => {
    const input = tf.tensor4d(x, [1, S, S, C]);
    const r = explainImage(vm, input, planMethods(vm, ['smoothgrad'], { seed: 9 }), 1);
    assertClose(r.maps[0].map, channelSum(wk(1).map(Math.abs)), 1e-5, 'map');
    assert.deepEqual(r.maps[0].params, { samples: 25, noise: 0.15, seed: 9, reduce: 'abs-sum' });
    input.dispose();
  });

  test('SmoothGrad on a CNN: the seed fixes the noise (not the batch size), another seed changes the map', () => {
    const cnn = wrapModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 3, width: 0.25, seed: 2 }), null, 'h', null);
    const input = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const run = (o: { seed: number; batchSize: number }) => explainImage(cnn, input, planMethods(cnn, ['smoothgrad'], { samples: 6, ...o }), 0).maps[0].map;
    const a = run({ seed: 1, batchSize: 6 });
    assertClose(run({ seed: 1, batchSize: 4 }), a, 1e-5, 'batch size');
    assert.ok(maxAbsDiff(run({ seed: 2, batchSize: 6 }), a) > 1e-4);
    input.dispose();
    cnn.dispose();
  });
});

test('Guided IG, Blur IG and SmoothGrad leave no tensors behind', () => {
  const vm = wrapModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 4, width: 0.25, seed: 1 }), null, 'h', null);
  const plan = planMethods(vm, ['guided-ig', 'blur-ig', 'smoothgrad'], { steps: 5, samples: 4 });
  const one = (i: number) => {
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', i) as tf.Tensor4D;
    const r = explainImage(vm, x, plan);
    x.dispose();
    for (const m of r.maps) assert.ok(m.map.every(Number.isFinite));
  };
  const start = liveTensors();
  for (let i = 0; i < 4; i++) one(i);
  assert.equal(liveTensors(), start);
  vm.dispose();
});
