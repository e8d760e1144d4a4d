// explainImage (explain-image.ts) as a job uses it: no tensor leaks over many images with every method, the target
// class (top-1 by default, or the one named), and the shape and provenance of what comes back.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { methodIdsFor } from '../../main/engine/explain/registry';
import { assertUserError, liveTensors, maxAbsDiff } from './helpers';

before(async () => {
  await initBackend('wasm');
});

function smallCnn(seed = 1): VisionModel {
  return wrapModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 6, width: 0.25, seed }), null, 'h', null);
}

describe('no tensor leaks', () => {
  for (const [name, make] of [
    ['small-cnn', () => smallCnn()],
    ['resnet18 (batch norm, residual stages)', () => wrapModel(buildArchitecture('resnet18', { inputShape: [32, 32, 3], numClasses: 4, width: 0.125, seed: 2 }), null, 'h', null)],
  ] as Array<[string, () => VisionModel]>) {
    test(`${name}: the live tensor count after 20 images equals the count after 1, with all methods`, () => {
      const vm = make();
      const plan = planMethods(vm, methodIdsFor(vm), { steps: 4, samples: 2 });
      const { height: h, width: w, channels: c } = vm.preprocessing;
      const explainOne = (i: number) => {
        const x = tf.randomUniform([1, h, w, c], 0, 1, 'float32', i) as tf.Tensor4D;
        const r = explainImage(vm, x, plan, i % 3 === 0 ? 1 : null);
        assert.ok(!x.isDisposed, 'explainImage disposed its input');
        x.dispose();
        return r;
      };
      const start = liveTensors();
      const first = explainOne(0);
      assert.equal(first.maps.length, methodIdsFor(vm).length);
      const afterOne = liveTensors();
      for (let i = 1; i < 20; i++) explainOne(i);
      assert.equal(liveTensors(), afterOne, `leaked ${liveTensors() - afterOne} tensors over 19 images`);
      assert.equal(afterOne, start, `the first image left ${afterOne - start} tensors behind`);
      // Also with the input itself named as the cut point (it must be neither fetched as an activation nor freed).
      const extra = planMethods(vm, ['dix1', 'dix2', 'gradcam'], { layers: ['input'], steps: 2 });
      const beforeExtra = liveTensors();
      for (let i = 0; i < 3; i++) {
        const x = tf.randomUniform([1, h, w, c], 0, 1, 'float32', 200 + i) as tf.Tensor4D;
        explainImage(vm, x, extra);
        assert.ok(!x.isDisposed, 'explaining at the input cut disposed the caller\'s input');
        x.dispose();
      }
      assert.equal(liveTensors(), beforeExtra);
      vm.dispose();
    });
  }
});

describe('what explainImage returns', () => {
  test('every method gives a finite H x W map and records its params and cut points', () => {
    const vm = smallCnn(3);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const plan = planMethods(vm, methodIdsFor(vm), { steps: 3, samples: 2 });
    const r = explainImage(vm, x, plan);
    assert.deepEqual(r.maps.map((m) => m.methodId), methodIdsFor(vm));
    for (const m of r.maps) {
      assert.equal(m.height, 16);
      assert.equal(m.width, 16);
      assert.equal(m.map.length, 256);
      assert.ok(m.map.every(Number.isFinite), `${m.methodId}: non-finite values`);
      assert.ok(m.cutPoints.length >= 1);
      assert.equal(m.methodVersion, 1);
    }
    const byId = Object.fromEntries(r.maps.map((m) => [m.methodId, m]));
    assert.deepEqual(byId.ig.cutPoints, ['input']);
    assert.deepEqual(byId.dix3.cutPoints, ['block1_pool', 'block2_pool', 'block3_pool']);
    assert.deepEqual(byId.gradcam.cutPoints, ['block3_pool']);
    assert.equal(byId.dix1.params.steps, 3);
    x.dispose();
    vm.dispose();
  });
});

describe('target class', () => {
  test('default is the top-1 class; targetProbability is its softmax probability', () => {
    const vm = smallCnn(4);
    for (let i = 0; i < 3; i++) {
      const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 40 + i) as tf.Tensor4D;
      const logits = Array.from(vm.predict(x).dataSync());
      const top = logits.indexOf(Math.max(...logits));
      const r = explainImage(vm, x, planMethods(vm, ['gradcam'], {}));
      assert.equal(r.predictedClass, top);
      assert.equal(r.targetClass, top);
      const z = logits.reduce((s, l) => s + Math.exp(l), 0);
      assert.ok(Math.abs(r.targetProbability - Math.exp(logits[top]) / z) < 1e-6);
      x.dispose();
    }
    vm.dispose();
  });

  test('an explicit target class is used: the map changes, the prediction does not', () => {
    const vm = smallCnn(5);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 50) as tf.Tensor4D;
    const plan = planMethods(vm, ['gradcam', 'dix1'], {});
    const byDefault = explainImage(vm, x, plan);
    const top = byDefault.predictedClass;
    const sameClass = explainImage(vm, x, plan, top);
    assert.deepEqual(Array.from(sameClass.maps[0].map), Array.from(byDefault.maps[0].map));
    let differs = 0;
    for (let k = 0; k < 6; k++) {
      if (k === top) continue;
      const r = explainImage(vm, x, plan, k);
      assert.equal(r.targetClass, k);
      assert.equal(r.predictedClass, top);
      if (maxAbsDiff(r.maps[0].map, byDefault.maps[0].map) > 1e-6) differs++;
      assert.ok(maxAbsDiff(r.maps[1].map, byDefault.maps[1].map) > 1e-6, `dix1 map for class ${k} equals the top-1 map`);
    }
    assert.ok(differs >= 4, `gradcam map changed for only ${differs} of 5 other classes`);
    x.dispose();
    vm.dispose();
  });

  test('a target class outside the model\'s classes is a UserError', async () => {
    const vm = smallCnn(6);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 60) as tf.Tensor4D;
    const plan = planMethods(vm, ['gradcam'], {});
    const before = liveTensors();
    for (const bad of [6, -1, 1.5]) await assertUserError(() => explainImage(vm, x, plan, bad), /Target class/, /out of range/, /6 classes/);
    assert.equal(liveTensors(), before);
    x.dispose();
    vm.dispose();
  });
});
