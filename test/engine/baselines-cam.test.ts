// Ablation-CAM, LIFT-CAM and FullGrad against maps computed by hand in plain JS on tiny models whose heads are linear
// (or, for LIFT-CAM's DeepLIFT, a one-hidden-layer ReLU head worked through by the Rescale rule), plus FullGrad's
// completeness identity on real CNNs and a tensor leak check.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { deepLiftContributions } from '../../main/engine/explain/methods/liftcam';
import { fullGradTerms } from '../../main/engine/explain/methods/fullgrad';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { assertClose, assertUserError, avgPool2Ref, liveTensors, maxAbsDiff, resizeBilinearRef, sum, uniform, values } from './helpers';

before(async () => {
  await initBackend('wasm');
});

type ST = ReturnType<typeof tfl.input>;
const relu = (v: number) => Math.max(0, v);

describe('Ablation-CAM and LIFT-CAM on a linear head (hand-computed)', () => {
  // input 8x8x3 -> 2x2 average pool 'pool' (4x4x3 = A) -> flatten -> dense(K) with weights W and bias b:
  // y_k = sum_i W[i,k] A_i + b_k. Zeroing channel c removes sum_ij W[ijc,k] A_ijc, so Ablation-CAM's
  // w_c = sum_ij W A / y; LIFT-CAM's DeepLIFT contributions are exactly A ⊙ W[:,k], so w_c = sum_ij W A.
  const S = 8, h = 4, C = 3, K = 4, P = h * h;
  const x0 = uniform(51, S * S * C, -1, 1.5);
  const W = uniform(52, P * C * K, -1, 1);
  const b = [0.3, -0.2, 0.5, 0.1];
  const A = avgPool2Ref(x0, S, S, C);
  let vm: VisionModel;
  let input: tf.Tensor4D;

  before(() => {
    const inp = tfl.input({ shape: [S, S, C], name: 'input' });
    const pool = tfl.layers.averagePooling2d({ poolSize: 2, name: 'pool' }).apply(inp) as ST;
    const flat = tfl.layers.flatten({ name: 'flatten' }).apply(pool) as ST;
    const dense = tfl.layers.dense({ units: K, name: 'logits' });
    const model = tfl.model({ inputs: inp, outputs: dense.apply(flat) as ST });
    dense.setWeights([tf.tensor2d(W, [P * C, K]), tf.tensor1d(b)]);
    vm = wrapModel(model, null, 'cam', null);
    input = tf.tensor4d(x0, [1, S, S, C]);
  });

  const channelDot = (k: number, c: number) => Array.from({ length: P }, (_, p) => W[(p * C + c) * K + k] * A[p * C + c]).reduce((s, v) => s + v, 0);
  const mapOf = (w: number[]) => resizeBilinearRef(Array.from({ length: P }, (_, p) => relu(w.reduce((s, wc, c) => s + wc * A[p * C + c], 0))), h, h, S, S);

  test('Ablation-CAM: w_c = (y - y_c) / y with channel c zeroed, for every class and channel batch size', () => {
    for (let k = 0; k < K; k++) {
      const y = A.reduce((s, a, i) => s + a * W[i * K + k], 0) + b[k];
      const want = mapOf([0, 1, 2].map((c) => channelDot(k, c) / y));
      for (const batchSize of [1, 2, 64]) {
        const r = explainImage(vm, input, planMethods(vm, ['ablationcam'], { batchSize }), k);
        assert.deepEqual(r.maps[0].cutPoints, ['pool']);
        assertClose(r.maps[0].map, want, 1e-4, `class ${k}, batch ${batchSize}`);
      }
    }
  });

  test('Ablation-CAM zeroes the channel (not min - 1e7 as pytorch-grad-cam for channels with a non-zero minimum)', () => {
    const k = 2;
    const y = A.reduce((s, a, i) => s + a * W[i * K + k], 0) + b[k];
    const mins = [0, 1, 2].map((c) => Math.min(...Array.from({ length: P }, (_, p) => A[p * C + c])));
    // Replacing channel c by the constant v changes y by sum_ij W (v - A): with v = min - 1e7 the weights are dominated by 1e7 sum W.
    const wrong = mapOf([0, 1, 2].map((c) => {
      const v = mins[c] === 0 ? 0 : mins[c] - 1e7;
      return -Array.from({ length: P }, (_, p) => W[(p * C + c) * K + k] * (v - A[p * C + c])).reduce((s, t) => s + t, 0) / y;
    }));
    const r = explainImage(vm, input, planMethods(vm, ['ablationcam'], {}), k);
    assert.ok(maxAbsDiff(r.maps[0].map, wrong) > 1e-2);
  });

  test('LIFT-CAM: w_c = sum_ij (A ⊙ W_k)_c, the exact DeepLIFT contributions of a linear head', () => {
    for (let k = 0; k < K; k++) {
      const r = explainImage(vm, input, planMethods(vm, ['liftcam'], {}), k);
      assertClose(r.maps[0].map, mapOf([0, 1, 2].map((c) => channelDot(k, c))), 1e-4, `class ${k}`);
    }
  });
});

describe('LIFT-CAM on a ReLU head: DeepLIFT Rescale by hand', () => {
  // input 4x4x3 -> 2x2 average pool 'pool' (a: 12 values) -> flatten -> dense(5, relu) -> dense(3).
  // Reference a0 = 0: z0 = b1. Rescale: m_j = (relu(z_j) - relu(z0_j)) / (z_j - z0_j); multipliers of a are
  // W1 (m ⊙ W2[:, k]); contributions C = a ⊙ multipliers, and sum C = f(a) - f(0).
  const S = 4, C = 3, Hd = 5, K = 3, D = 12;
  const x0 = uniform(61, S * S * C, -1, 1.5);
  const W1 = uniform(62, D * Hd, -1, 1);
  const b1 = [0.4, -0.3, 0.1, -0.6, 0.2];
  const W2 = uniform(63, Hd * K, -1, 1);
  const b2 = [0.1, 0, -0.1];
  const a = avgPool2Ref(x0, S, S, C);
  let vm: VisionModel;

  before(() => {
    const inp = tfl.input({ shape: [S, S, C], name: 'input' });
    const pool = tfl.layers.averagePooling2d({ poolSize: 2, name: 'pool' }).apply(inp) as ST;
    const flat = tfl.layers.flatten({ name: 'flatten' }).apply(pool) as ST;
    const fc1 = tfl.layers.dense({ units: Hd, activation: 'relu', name: 'fc1' });
    const fc2 = tfl.layers.dense({ units: K, name: 'logits' });
    const model = tfl.model({ inputs: inp, outputs: fc2.apply(fc1.apply(flat)) as ST });
    fc1.setWeights([tf.tensor2d(W1, [D, Hd]), tf.tensor1d(b1)]);
    fc2.setWeights([tf.tensor2d(W2, [Hd, K]), tf.tensor1d(b2)]);
    vm = wrapModel(model, null, 'lift', null);
  });

  const z = Array.from({ length: Hd }, (_, j) => a.reduce((s, v, i) => s + v * W1[i * Hd + j], 0) + b1[j]);
  const slope = z.map((zj, j) => (relu(zj) - relu(b1[j])) / (zj - b1[j]));
  const f = (hidden: number[], k: number) => hidden.reduce((s, v, j) => s + v * W2[j * K + k], 0) + b2[k];

  test('the case has a secant strictly between 0 and 1 (z and z0 on both sides of 0), where the gradient would differ', () => {
    assert.ok(slope.some((s) => s > 0.01 && s < 0.99), `slopes ${slope.map((s) => s.toFixed(3))}`);
  });

  test('contributions equal the Rescale rule and sum to f(a) - f(0) for every class', () => {
    const cut = vm.cuts.find((c) => c.name === 'pool')!;
    for (let k = 0; k < K; k++) {
      const want = a.map((v, i) => v * Array.from({ length: Hd }, (_, j) => W1[i * Hd + j] * slope[j] * W2[j * K + k]).reduce((s, t) => s + t, 0));
      const got = tf.tidy(() => values(deepLiftContributions(vm, cut, tf.tensor4d(a, [1, 2, 2, C]), k)));
      assertClose(got, want, 1e-5, `class ${k}`);
      const delta = f(z.map(relu), k) - f(b1.map(relu), k);
      assert.ok(Math.abs(sum(got) - delta) < 1e-5, `summation-to-delta: ${sum(got)} vs ${delta}`);
    }
  });

  test('a head with a softmax or other layer without a Rescale rule is refused with the fix named', async () => {
    const inp = tfl.input({ shape: [4, 4, 3], name: 'input' });
    const pool = tfl.layers.averagePooling2d({ poolSize: 2, name: 'pool' }).apply(inp) as ST;
    const x = tfl.layers.flatten({ name: 'flatten' }).apply(pool) as ST;
    const out = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(x) as ST;
    const soft = wrapModel(tfl.model({ inputs: inp, outputs: out }), null, 's', null);
    const img = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    await assertUserError(() => explainImage(soft, img, planMethods(soft, ['liftcam'], { layers: ['pool'] })), /probs/, /no DeepLIFT Rescale rule/, /--layers/);
    img.dispose();
  });
});

describe('FullGrad', () => {
  // input 4x4x3 -> conv 1x1 'conv' (3 filters, bias, linear) -> batch norm 'bn' -> relu -> flatten -> dense(K).
  // z = conv(x) + b_conv; u = s (z - mu) + beta = s z + b_bn with s = gamma / sqrt(var + eps), b_bn = beta - mu s;
  // f_k = sum relu(u) Wd[:, k] + d_k. So grad_u = Wd[:, k] 1[u > 0], grad_z = s grad_u, grad_x = K grad_z.
  const S = 4, Cin = 3, Cout = 3, K = 2, N = S * S;
  const x0 = uniform(71, N * Cin, -1, 1);
  const Kc = uniform(72, Cin * Cout, -1, 1);
  const bConv = [0.2, -0.1, 0.05];
  const gamma = [1.5, 0.7, -0.9], beta = [0.1, -0.2, 0.3], mu = [0.05, -0.1, 0.2], variance = [0.5, 2.0, 1.2], eps = 1e-3;
  const Wd = uniform(73, N * Cout * K, -1, 1);
  const d = [0.1, -0.3];
  let vm: VisionModel;

  before(() => {
    const inp = tfl.input({ shape: [S, S, Cin], name: 'input' });
    const conv = tfl.layers.conv2d({ filters: Cout, kernelSize: 1, name: 'conv' });
    const bn = tfl.layers.batchNormalization({ name: 'bn', epsilon: eps });
    const act = tfl.layers.activation({ activation: 'relu', name: 'relu' });
    const dense = tfl.layers.dense({ units: K, name: 'logits' });
    const out = dense.apply(tfl.layers.flatten({ name: 'flatten' }).apply(act.apply(bn.apply(conv.apply(inp))))) as ST;
    const model = tfl.model({ inputs: inp, outputs: out });
    conv.setWeights([tf.tensor4d(Kc, [1, 1, Cin, Cout]), tf.tensor1d(bConv)]);
    bn.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor1d(mu), tf.tensor1d(variance)]);
    dense.setWeights([tf.tensor2d(Wd, [N * Cout, K]), tf.tensor1d(d)]);
    vm = wrapModel(model, null, 'fg', null);
  });

  const minMaxRef = (m: number[]) => {
    const lo = Math.min(...m), hi = Math.max(...m);
    return m.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
  };

  function handMap(k: number): number[] {
    const s = gamma.map((g, c) => g / Math.sqrt(variance[c] + eps));
    const bBn = beta.map((bt, c) => bt - mu[c] * s[c]);
    const zc = (p: number, c: number) => [0, 1, 2].reduce((t, i) => t + Kc[i * Cout + c] * x0[p * Cin + i], bConv[c]);
    const gu = (p: number, c: number) => (s[c] * zc(p, c) + bBn[c] > 0 ? Wd[(p * Cout + c) * K + k] : 0);
    const gz = (p: number, c: number) => s[c] * gu(p, c);
    const gx = (p: number, i: number) => [0, 1, 2].reduce((t, c) => t + Kc[i * Cout + c] * gz(p, c), 0);
    const inputTerm = minMaxRef(Array.from({ length: N * Cin }, (_, j) => Math.abs(x0[j] * gx(Math.floor(j / Cin), j % Cin))));
    const out = Array.from({ length: N }, (_, p) => inputTerm[p * Cin] + inputTerm[p * Cin + 1] + inputTerm[p * Cin + 2]);
    for (const term of [(p: number, c: number) => bConv[c] * gz(p, c), (p: number, c: number) => bBn[c] * gu(p, c)]) {
      for (let c = 0; c < Cout; c++) {
        const ch = minMaxRef(Array.from({ length: N }, (_, p) => Math.abs(term(p, c))));
        ch.forEach((v, p) => (out[p] += v));
      }
    }
    return out;
  }

  test('the map is psi(|x ⊙ grad_x|) + sum over conv and batch norm (folded) bias channels of psi(|b ⊙ grad_z|)', () => {
    const x = tf.tensor4d(x0, [1, S, S, Cin]);
    for (let k = 0; k < K; k++) {
      const r = explainImage(vm, x, planMethods(vm, ['fullgrad'], {}), k);
      assertClose(r.maps[0].map, handMap(k), 1e-4, `class ${k}`);
      // With a non-trivial batch norm, its folded bias is what makes the decomposition complete.
      const logit = values(vm.predict(x))[k];
      const { total, layers } = tf.tidy(() => {
        const { inputGradient, biasTerms } = fullGradTerms(vm, x, k);
        return { total: tf.addN([tf.sum(tf.mul(inputGradient, x)), ...biasTerms.map((t) => tf.sum(t.term))]).dataSync()[0], layers: biasTerms.map((t) => t.layer) };
      });
      assert.deepEqual(layers, ['conv', 'bn', 'logits']);
      assert.ok(Math.abs(total - logit) < 1e-5, `completeness: ${total} vs ${logit}`);
    }
    x.dispose();
  });

  for (const [name, arch, bn] of [['small-cnn', 'small-cnn', false], ['vgg11 with batch norm', 'vgg11', true], ['resnet18', 'resnet18', false]] as const) {
    test(`${name}: f_k(x) = sum(x ⊙ grad_x) + sum over every biased layer of sum(b ⊙ grad_z) (completeness)`, () => {
      const model = buildArchitecture(arch, { inputShape: [16, 16, 3], numClasses: 3, width: 0.125, seed: 4, batchNorm: bn }) as LayersModel;
      const v = wrapModel(model, null, 'h', null);
      const x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
      const logits = values(model.predict(x) as tf.Tensor);
      for (let k = 0; k < 3; k++) {
        const total = tf.tidy(() => {
          const { inputGradient, biasTerms } = fullGradTerms(v, x, k);
          return tf.addN([tf.sum(tf.mul(inputGradient, x)), ...biasTerms.map((t) => tf.sum(t.term))]).dataSync()[0];
        });
        assert.ok(Math.abs(total - logits[k]) < 1e-4 * Math.max(1, Math.abs(logits[k])), `class ${k}: ${total} vs ${logits[k]}`);
      }
      x.dispose();
      model.dispose();
    });
  }
});

test('Ablation-CAM, LIFT-CAM and FullGrad leave no tensors behind', () => {
  const vm = wrapModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 4, width: 0.25, seed: 1 }), null, 'h', null);
  const plan = planMethods(vm, ['ablationcam', 'liftcam', 'fullgrad'], {});
  const one = (i: number) => {
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', i) as tf.Tensor4D;
    const r = explainImage(vm, x, plan);
    x.dispose();
    for (const m of r.maps) assert.ok(m.map.every(Number.isFinite));
  };
  const start = liveTensors();
  for (let i = 0; i < 5; i++) one(i);
  assert.equal(liveTensors(), start);
  vm.dispose();
});
