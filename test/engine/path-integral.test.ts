// The path integral behind DIX and IG (path-integral.ts): the class gradient at a cut against finite differences,
// completeness (sum of the phi = g attribution -> f_k(x) - f_k^l(z) as N grows) at a cut and at the input (IG), and
// DIX with phi = g at the input being exactly IG.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { inputCutPoint, type CutPoint } from '../../main/engine/model/cut-points';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { channelMinBaseline, classGradient, pathIntegral } from '../../main/engine/explain/path-integral';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { assertClose, maxAbs, sum } from './helpers';

before(async () => {
  await initBackend('wasm');
});

/** The model behind the engine's interface (cut points are looked up by name, so wrapping twice is harmless). */
const vmOf = (m: LayersModel) => wrapModel(m, null, 'test', null);
const listCutPoints = (m: LayersModel) => vmOf(m).cuts;

type ST = ReturnType<typeof tfl.input>;

/** A tiny network with smooth activations only (tanh, softplus), so finite differences are not hit by relu kinks. */
function smoothModel(): LayersModel {
  const init = (seed: number) => tfl.initializers.glorotNormal({ seed });
  const input = tfl.input({ shape: [8, 8, 3], name: 'in' });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'c1', kernelInitializer: init(1),
    biasInitializer: tfl.initializers.randomNormal({ seed: 2, stddev: 0.3 }) }).apply(input) as ST;
  x = tfl.layers.averagePooling2d({ poolSize: 2, name: 'p1' }).apply(x) as ST;
  x = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'softplus', name: 'c2', kernelInitializer: init(3) }).apply(x) as ST;
  x = tfl.layers.flatten({ name: 'flat' }).apply(x) as ST;
  x = tfl.layers.dense({ units: 8, activation: 'tanh', name: 'd1', kernelInitializer: init(4) }).apply(x) as ST;
  x = tfl.layers.dense({ units: 3, name: 'logits', kernelInitializer: init(5) }).apply(x) as ST;
  return tfl.model({ inputs: input, outputs: x });
}

function cutNamed(model: LayersModel, name: string): CutPoint {
  const c = listCutPoints(model).find((cp) => cp.name === name);
  assert.ok(c, `no cut ${name}`);
  return c;
}

/** sum(A^l) - (f_k(x) - f_k^l(z)) for phi = g and N steps, plus the difference itself. */
function completenessError(model: LayersModel, cut: CutPoint, x: tf.Tensor, baseline: tf.Tensor, k: number, steps: number): { err: number; delta: number } {
  return tf.tidy(() => {
    const fx = vmOf(model).tailLogits(cut, x).dataSync()[k];
    const fz = vmOf(model).tailLogits(cut, tf.add(baseline, tf.zerosLike(x))).dataSync()[k];
    const a = pathIntegral({ model: vmOf(model), cut, activation: x, baseline, targetClass: k, steps, integrand: 'gradient' });
    assert.deepEqual(a.shape, x.shape);
    return { err: Math.abs(sum(a.dataSync()) - (fx - fz)), delta: fx - fz };
  });
}

describe('classGradient vs central finite differences', () => {
  test('directional derivatives of f_k^l at a cut agree for every class and a batch of 2', () => {
    const model = smoothModel();
    const cut = cutNamed(model, 'p1');
    const eps = 1e-2;
    tf.tidy(() => {
      const r = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 7);
      let checked = 0;
      for (let k = 0; k < 3; k++) {
        const g = classGradient(vmOf(model), cut, r, k);
        assert.deepEqual(g.shape, r.shape);
        for (let d = 0; d < 4; d++) {
          const v = tf.randomNormal(r.shape, 0, 1, 'float32', 100 + d);
          const gv = tf.sum(tf.mul(g, v), [1, 2, 3]).dataSync();
          const fp = vmOf(model).tailLogits(cut, tf.add(r, tf.mul(eps, v)));
          const fm = vmOf(model).tailLogits(cut, tf.sub(r, tf.mul(eps, v)));
          const fd = tf.div(tf.sub(fp, fm), 2 * eps).dataSync();
          for (let b = 0; b < 2; b++) {
            const want = fd[b * 3 + k];
            const err = Math.abs(gv[b] - want);
            assert.ok(err <= 1e-2 * Math.abs(want) + 2e-4, `class ${k}, dir ${d}, sample ${b}: g.v = ${gv[b]}, FD = ${want}`);
            checked++;
          }
        }
      }
      assert.equal(checked, 24);
    });
    model.dispose();
  });

  test('the gradient at the input of a relu CNN matches finite differences along its own direction', () => {
    // Along v = g/|g| the directional derivative is |g|, large against relu-kink noise.
    const model = buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 5, width: 0.25, seed: 4 });
    const cut = inputCutPoint(listCutPoints(model));
    tf.tidy(() => {
      const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5);
      for (const k of [0, 3]) {
        const g = classGradient(vmOf(model), cut, x, k);
        const norm = Math.sqrt(tf.sum(tf.square(g)).dataSync()[0]);
        const v = tf.div(g, norm);
        const eps = 1e-3;
        const fp = vmOf(model).tailLogits(cut, tf.add(x, tf.mul(eps, v))).dataSync()[k];
        const fm = vmOf(model).tailLogits(cut, tf.sub(x, tf.mul(eps, v))).dataSync()[k];
        const fd = (fp - fm) / (2 * eps);
        assert.ok(Math.abs(fd - norm) <= 2e-2 * norm, `class ${k}: |g| = ${norm}, FD = ${fd}`);
      }
    });
    model.dispose();
  });
});

describe('completeness: sum of the phi = g attribution approaches f_k(x) - f_k^l(z^l)', () => {
  test('smooth model at a cut with the channel-min baseline; the error shrinks like 1/N', () => {
    const model = smoothModel();
    const cut = cutNamed(model, 'p1');
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 9);
    const act = vmOf(model).forwardWithActivations(x, [cut]).activations[0];
    const z = channelMinBaseline(act as tf.Tensor4D);
    for (let k = 0; k < 3; k++) {
      const coarse = completenessError(model, cut, act, z, k, 10);
      const fine = completenessError(model, cut, act, z, k, 200);
      assert.ok(Math.abs(fine.delta) > 1e-2, `class ${k}: f(x) - f(z) = ${fine.delta} too small to test`);
      assert.ok(fine.err < 0.02 * Math.abs(fine.delta), `class ${k}: N=200 error ${fine.err} vs |delta| ${Math.abs(fine.delta)}`);
      assert.ok(fine.err < coarse.err / 5, `class ${k}: error did not shrink (N=10: ${coarse.err}, N=200: ${fine.err})`);
    }
    tf.dispose([x, act, z]);
    model.dispose();
  });

  test('relu CNN (small-cnn) at block outputs, for the class with the largest change', () => {
    const model = buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 5, width: 0.25, seed: 1 });
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3);
    for (const name of ['block1_pool', 'block2_pool']) {
      const cut = cutNamed(model, name);
      const act = vmOf(model).forwardWithActivations(x, [cut]).activations[0];
      const z = channelMinBaseline(act as tf.Tensor4D);
      const deltas = [0, 1, 2, 3, 4].map((k) => completenessError(model, cut, act, z, k, 1).delta);
      const k = deltas.map(Math.abs).indexOf(maxAbs(deltas));
      const coarse = completenessError(model, cut, act, z, k, 10);
      const fine = completenessError(model, cut, act, z, k, 200);
      assert.ok(fine.err < 0.02 * Math.abs(fine.delta), `${name}: N=200 error ${fine.err} vs |delta| ${Math.abs(fine.delta)}`);
      assert.ok(fine.err < coarse.err, `${name}: error did not shrink (N=10: ${coarse.err}, N=200: ${fine.err})`);
      tf.dispose([act, z]);
    }
    x.dispose();
    model.dispose();
  });

  test('IG (method "ig"): the channel-summed map sums to f_k(x) - f_k(black), black passed through the preprocessing', () => {
    // mean 0.5, std 0.25: black (0 in [0, 1] pixel space) is -2 in model space, not 0.
    const model = buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 5, width: 0.25, seed: 2 });
    const vm = wrapModel(model, { height: 16, width: 16, channels: 3, scale: 255, mean: [0.5], std: [0.25] }, 'h', null);
    const x = tf.tidy(() => tf.div(tf.sub(tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 8), 0.5), 0.25)) as tf.Tensor4D;
    const black = tf.fill([1, 16, 16, 3], -2);
    const logitsX = (model.predict(x) as tf.Tensor).dataSync();
    const logitsB = (model.predict(black) as tf.Tensor).dataSync();
    const errs = [10, 200].map((steps) => {
      const r = explainImage(vm, x, planMethods(vm, ['ig'], { steps }));
      const k = r.targetClass;
      const delta = logitsX[k] - logitsB[k];
      assert.equal(r.maps[0].map.length, 16 * 16);
      // The gap the method reports with its map (Captum's convergence delta) is exactly this sum against f(x) - f(black).
      const c = r.maps[0].completeness;
      assert.ok(c, 'ig reports its completeness gap');
      assert.equal(c.at, 'input');
      assert.ok(Math.abs(c.expected - delta) < 1e-4 * Math.max(1, Math.abs(delta)), `expected ${c.expected} vs ${delta}`);
      assert.ok(Math.abs(c.attributionSum - sum(r.maps[0].map)) < 1e-3 * Math.max(1, Math.abs(delta)));
      assert.ok(Math.abs(c.relativeGap - Math.abs(c.delta) / Math.abs(c.expected)) < 1e-9);
      return { err: Math.abs(sum(r.maps[0].map) - delta), delta, gap: c.relativeGap };
    });
    assert.ok(Math.abs(errs[1].delta) > 1e-2);
    // Relu kinks make the input-space Riemann sum converge unevenly (2.3% here at N=200, 0.3% at N=1000); a wrong
    // baseline or a channel mean instead of the sum is off by tens of percent.
    assert.ok(errs[1].err < 0.05 * Math.abs(errs[1].delta), `N=200 error ${errs[1].err} vs |delta| ${Math.abs(errs[1].delta)}`);
    assert.ok(errs[1].err < errs[0].err, `error did not shrink: ${errs[0].err} -> ${errs[1].err}`);
    assert.ok(errs[1].gap < errs[0].gap, 'the reported gap shrinks as N grows');
    tf.dispose([x, black]);
    model.dispose();
  });
});

describe('DIX with phi = g at the input is IG', () => {
  test('pathIntegral at the input cut (black baseline, integrand gradient), channel mean x C, equals the ig map', () => {
    const model = buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 5, width: 0.25, seed: 6 });
    const mean = [0.4, 0.5, 0.6];
    const std = [0.2, 0.25, 0.3];
    const vm = wrapModel(model, { height: 16, width: 16, channels: 3, scale: 255, mean, std }, 'h', null);
    const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
    const r = explainImage(vm, x, planMethods(vm, ['ig'], { steps: 10 }));
    const fromDix = tf.tidy(() => {
      const black = tf.tile(tf.tensor4d(mean.map((m, c) => (0 - m) / std[c]), [1, 1, 1, 3]), [1, 16, 16, 1]);
      const a = pathIntegral({ model: vm, cut: inputCutPoint(vm.cuts), activation: x, baseline: black, targetClass: r.targetClass,
        steps: 10, integrand: 'gradient' });
      return tf.mul(tf.mean(a, 3), 3);
    });
    assertClose(r.maps[0].map, fromDix.dataSync(), 1e-5, 'IG map vs DIX(phi = g) at the input');
    assert.ok(maxAbs(r.maps[0].map) > 0);
    tf.dispose([x, fromDix]);
    model.dispose();
  });
});
