// Every registered method on a ViT: the ViT methods and DIX, Grad-CAM on the patch grid (against a hand computation),
// the input-space methods, and the refusals (CNN-only methods on a ViT, ViT-only methods on a CNN), with clear
// messages; no tensor leaks over repeated images.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { METHOD_IDS, getMethod } from '../../main/engine/explain/registry';
import { assertClose, assertUserError, resizeBilinearRef, uniform, values } from './helpers';
import { makeTestVit } from './vit-reference';

before(async () => {
  await initBackend('wasm');
});

const CNN_ONLY = ['ablationcam', 'liftcam', 'fullgrad'];
const VIT_ONLY = ['rollout', 'gae', 'tattr'];

describe('methods on a ViT', () => {
  test('every method either gives a finite map at input size or refuses with a UserError', async () => {
    const vm = makeTestVit({ seed: 51 });
    const x = tf.tensor4d(uniform(52, 8 * 8 * 3), [1, 8, 8, 3]);
    for (const id of METHOD_IDS) {
      if (CNN_ONLY.includes(id)) {
        await assertUserError(() => planMethods(vm, [id], {}), new RegExp(`${id} does not apply to Vision Transformers`), /For a ViT use/);
        continue;
      }
      const r = explainImage(vm, x, planMethods(vm, [id], { steps: 4, samples: 3 }));
      const m = r.maps[0];
      assert.equal(m.map.length, 64, id);
      assert.ok(m.map.every(Number.isFinite), `${id}: finite`);
      // (A CAM's final ReLU may zero a random model's map.)
      assert.ok(Math.max(...m.map) > Math.min(...m.map) || Math.max(...m.map.map(Math.abs)) === 0, `${id}: not constant`);
    }
    x.dispose();
    vm.dispose();
  });

  test('Grad-CAM at the last block\'s input: patch tokens on the grid, weights = mean gradient over patches', () => {
    const vm = makeTestVit({ seed: 53 });
    const x = tf.tensor4d(uniform(54, 8 * 8 * 3), [1, 8, 8, 3]);
    const r = explainImage(vm, x, planMethods(vm, ['gradcam'], {}));
    // Not blocks.2, the last block's output: its patch tokens never reach the [CLS] head, so the map would be blank.
    assert.deepEqual(r.maps[0].cutPoints, ['blocks.1']);
    assert.ok(r.maps[0].map.some((v) => v > 0), 'the default Grad-CAM map of a ViT is not blank');
    const k = r.targetClass;
    const [a, g] = tf.tidy(() => {
      const cut = vm.cuts.find((c) => c.name === 'blocks.1')!;
      const act = vm.forwardWithActivations(x, [cut]).activations[0];
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.slice(vm.tailLogits(cut, t), [0, k], [1, 1])))(act);
      return [values(act), values(grad)];
    });
    const d = vm.config.dim;
    const weights = Array.from({ length: d }, (_, c) => {
      let s = 0;
      for (let t = 1; t < vm.tokens; t++) s += g[t * d + c];
      return s / (vm.tokens - 1);
    });
    const grid = Array.from({ length: vm.tokens - 1 }, (_, p) => Math.max(0, weights.reduce((s, w, c) => s + w * a[(p + 1) * d + c], 0)));
    assertClose(r.maps[0].map, resizeBilinearRef(grid, 4, 4, 8, 8), 1e-4, 'Grad-CAM');
    x.dispose();
    vm.dispose();
  });

  test('Integrated Gradients is complete on a ViT: the map sums to f(x) - f(black)', () => {
    const vm = makeTestVit({ seed: 55 });
    const x = tf.tensor4d(uniform(56, 8 * 8 * 3, 0, 1), [1, 8, 8, 3]);
    const r = explainImage(vm, x, planMethods(vm, ['ig'], { steps: 200 }));
    const k = r.targetClass;
    const gap = tf.tidy(() => values(tf.sub(vm.predict(x), vm.predict(tf.zerosLike(x))))[k]);
    const total = r.maps[0].map.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(total - gap) < 0.05 * Math.abs(gap), `sum ${total} vs f(x) - f(0) = ${gap}`);
    x.dispose();
    vm.dispose();
  });

  test('layers: blocks by name for DIX and Grad-CAM, and clear errors', async () => {
    const vm = makeTestVit({ seed: 57 });
    assert.deepEqual(getMethod('dix3').resolveParams(vm, {}).layers, ['blocks.0', 'blocks.1', 'blocks.2']);
    assert.deepEqual(getMethod('dix2').resolveParams(vm, { layers: ['blocks.0', 'blocks.2'] }).layers, ['blocks.0', 'blocks.2']);
    assert.deepEqual(getMethod('gradcam').resolveParams(vm, { layers: ['blocks.1'] }).layers, ['blocks.1']);
    await assertUserError(() => getMethod('dix3').resolveParams(vm, { layers: ['blocks.7'] }), /not an encoder block/, /blocks\.0, blocks\.1, blocks\.2/);
    await assertUserError(() => getMethod('dix3').resolveParams(vm, { baseline: 'channel-min' }), /interpolates the attention from zero/);
    const deep = makeTestVit({ seed: 58, depth: 2 });
    await assertUserError(() => getMethod('dix3').resolveParams(deep, {}), /needs 3 encoder blocks; the ViT has 2/);
    deep.dispose();
    vm.dispose();
  });

  test('no tensors leak over repeated images', () => {
    const vm = makeTestVit({ seed: 59 });
    const x = tf.tensor4d(uniform(60, 8 * 8 * 3), [1, 8, 8, 3]);
    const plan = planMethods(vm, ['dix3', 'dix2-mul', 'dix3-grads', 'rollout', 'gae', 'tattr', 'gradcam', 'ig'], { steps: 3 });
    explainImage(vm, x, plan);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) explainImage(vm, x, plan);
    assert.equal(tf.memory().numTensors, n);
    x.dispose();
    vm.dispose();
  });
});

describe('ViT methods on a CNN', () => {
  test('rollout, GAE and T-Attr refuse with the reason', async () => {
    const vm = wrapModel(buildArchitecture('small-cnn', { inputShape: [32, 32, 3], numClasses: 4, seed: 1 }), null, 'h', null);
    for (const id of VIT_ONLY) {
      await assertUserError(() => planMethods(vm, [id], {}), new RegExp(`${id} explains Vision Transformers`), /For a CNN use dix3, gradcam or ig/);
    }
    // DIX on a CNN is unchanged: its own layers and baseline.
    assert.equal(getMethod('dix3').resolveParams(vm, {}).baseline, 'channel-min');
    vm.dispose();
  });
});
