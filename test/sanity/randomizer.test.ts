// ModelRandomizer and the layer order (docs/methods.md §5.1-5.2): exactly the intended layers change, with their own
// initializers seeded per (seed, layer); the same seed gives the same bits whatever the order of steps; another seed
// differs; restoring gives the trained model back bit for bit; no tensor is leaked; a model loaded from disk is
// re-initialized exactly like the built one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadLayersModel, saveLayersModel } from '../../main/engine/model/model-io';
import { listRandomizableModules } from '../../main/engine/sanity/randomizable-modules';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { ModelRandomizer } from '../../main/engine/sanity/model-randomizer';
import { weightSeed } from '../../main/engine/sanity/weight-seed';
import { planRandomizationSteps } from '../../main/engine/sanity/randomization-steps';
import { assertUserError, liveTensors } from '../engine/helpers';
import { bitsEqual, changedWeights, predict, pseudoTrained, snapshot } from './helpers';

const SMALL_CNN_TOP_DOWN = ['logits', 'fc1', 'block3_conv2', 'block3_conv1', 'block2_conv2', 'block2_conv1', 'block1_conv2', 'block1_conv1'];
const weightsOf = (layers: string[]) => layers.flatMap((l) => [`${l}/bias`, `${l}/kernel`]).sort();

let tmp: string;
before(async () => {
  await initBackend('wasm');
  tmp = mkdtempSync(join(tmpdir(), 'dixw-randomizer-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const vmOf = (m: LayersModel) => wrapModel(m, null, 'test', null);

describe('parameterized layers', () => {
  test('small-cnn: convolutions and dense layers from the output down', () => {
    const m = pseudoTrained('small-cnn', 1);
    assert.deepEqual(listRandomizableModules(vmOf(m)).map((p) => p.name), SMALL_CNN_TOP_DOWN);
    m.dispose();
  });
  test('batch norm only when asked; each BN layer is its own step, after (above) its convolution', () => {
    const m = pseudoTrained('vgg11', 2, { size: 32, batchNorm: true, width: 0.125 });
    const plain = listRandomizableModules(vmOf(m)).map((p) => p.name);
    assert.ok(!plain.some((n) => n.endsWith('_bn')));
    assert.deepEqual(plain.slice(0, 4), ['logits', 'fc2', 'fc1', 'block5_conv2']);
    const withBn = listRandomizableModules(vmOf(m), { includeBatchNorm: true }).map((p) => p.name);
    assert.equal(withBn.length, plain.length + 8);
    assert.deepEqual(withBn.slice(3, 6), ['block5_conv2_bn', 'block5_conv2', 'block5_conv1_bn']);
    m.dispose();
  });
});

describe('re-initialization', () => {
  test('cascading and independent steps touch exactly the intended layers; the others stay bit-identical', () => {
    const m = pseudoTrained('small-cnn', 3);
    const trained = snapshot(m);
    const r = new ModelRandomizer(vmOf(m), { seed: 7 });
    for (const kind of ['cascading', 'independent'] as const) {
      for (const step of planRandomizationSteps(r.layers.map((p) => p.name), kind)) {
        r.setRandomized(step.layers);
        assert.deepEqual(r.randomizedLayers, step.layers);
        assert.deepEqual(changedWeights(trained, snapshot(m)), weightsOf(step.layers), `${kind} step ${step.step}`);
      }
    }
    r.dispose();
    m.dispose();
  });
  test('fresh values come from each layer\'s own initializer, seeded per (seed, layer)', () => {
    const m = pseudoTrained('small-cnn', 4);
    const r = new ModelRandomizer(vmOf(m), { seed: 11 });
    r.setRandomized(['logits', 'block2_conv1']);
    const now = snapshot(m);
    const expect = (init: ReturnType<typeof tfl.initializers.zeros>, shape: number[]) => {
      const t = init.apply(shape);
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    };
    const conv = m.getLayer('block2_conv1').weights[0].shape as number[];
    const logits = m.getLayer('logits').weights[0].shape as number[];
    assert.ok(bitsEqual(now.get('block2_conv1/kernel')!, expect(tfl.initializers.heNormal({ seed: weightSeed(11, 'block2_conv1', 'kernel') }), conv)));
    assert.ok(bitsEqual(now.get('logits/kernel')!, expect(tfl.initializers.glorotUniform({ seed: weightSeed(11, 'logits', 'kernel') }), logits)));
    assert.ok(now.get('logits/bias')!.every((v) => v === 0), 'biases go back to their zeros initializer');
    r.dispose();
    m.dispose();
  });
  test('batch norm: gamma and beta to their initializers; moving statistics kept by default, reset on request', () => {
    for (const stats of ['keep', 'reset'] as const) {
      const m = pseudoTrained('vgg11', 5, { size: 32, batchNorm: true, width: 0.125 });
      const trained = snapshot(m);
      const r = new ModelRandomizer(vmOf(m), { seed: 1, includeBatchNorm: true, batchNormStats: stats });
      r.setRandomized(['block5_conv2_bn']);
      const now = snapshot(m);
      const bn = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((role) => `block5_conv2_bn/${role}`);
      assert.deepEqual(changedWeights(trained, now), [...(stats === 'keep' ? bn.slice(0, 2) : bn)].sort());
      assert.ok(now.get(bn[0])!.every((v) => v === 1) && now.get(bn[1])!.every((v) => v === 0));
      if (stats === 'reset') assert.ok(now.get(bn[2])!.every((v) => v === 0) && now.get(bn[3])!.every((v) => v === 1));
      r.dispose();
      m.dispose();
    }
  });
  test('same seed: bit-identical weights, also when the step is reached another way; another seed differs', () => {
    const m = pseudoTrained('small-cnn', 6);
    const cascade3 = SMALL_CNN_TOP_DOWN.slice(0, 3);
    const a = new ModelRandomizer(vmOf(m), { seed: 21 });
    a.setRandomized(cascade3);
    const direct = snapshot(m);
    a.setRandomized(SMALL_CNN_TOP_DOWN);
    a.setRandomized(['block1_conv1']);
    a.setRandomized(cascade3);
    assert.deepEqual(changedWeights(direct, snapshot(m)), [], 'via other steps');
    a.dispose();
    const b = new ModelRandomizer(vmOf(m), { seed: 21 });
    b.setRandomized(cascade3);
    assert.deepEqual(changedWeights(direct, snapshot(m)), [], 'a second randomizer with the same seed');
    b.dispose();
    const c = new ModelRandomizer(vmOf(m), { seed: 22 });
    c.setRandomized(cascade3);
    assert.deepEqual(changedWeights(direct, snapshot(m)), weightsOf(cascade3).filter((n) => n.endsWith('kernel')), 'another seed');
    c.dispose();
    m.dispose();
  });
  test('restoring gives back the trained model exactly: weights and predictions bit-identical, no tensor leaked', () => {
    const m = pseudoTrained('small-cnn', 8);
    const before = liveTensors();
    const trained = snapshot(m);
    const p0 = predict(m, 1);
    const r = new ModelRandomizer(vmOf(m), { seed: 3 });
    r.setRandomized(SMALL_CNN_TOP_DOWN);
    assert.ok(!bitsEqual(predict(m, 1), p0));
    r.restore();
    assert.ok(bitsEqual(predict(m, 1), p0), 'predictions after restore()');
    r.setRandomized(['fc1']);
    r.dispose();
    assert.deepEqual(changedWeights(trained, snapshot(m)), []);
    assert.ok(bitsEqual(predict(m, 1), p0), 'predictions after dispose()');
    assert.equal(liveTensors(), before, 'tensors left behind');
    m.dispose();
  });
  test('a model loaded from disk is re-initialized exactly like the built one', async () => {
    const m = pseudoTrained('small-cnn', 9);
    await saveLayersModel(m, join(tmp, 'm'));
    const loaded = await loadLayersModel(join(tmp, 'm'));
    const [ra, rb] = [new ModelRandomizer(vmOf(m), { seed: 5 }), new ModelRandomizer(vmOf(loaded), { seed: 5 })];
    ra.setRandomized(SMALL_CNN_TOP_DOWN);
    rb.setRandomized(SMALL_CNN_TOP_DOWN);
    assert.deepEqual(changedWeights(snapshot(m), snapshot(loaded)), []);
    ra.dispose();
    rb.dispose();
    m.dispose();
    loaded.dispose();
  });
  test('naming a layer without weights is a UserError listing the valid ones', async () => {
    const m = pseudoTrained('small-cnn', 10);
    const r = new ModelRandomizer(vmOf(m), { seed: 1 });
    await assertUserError(() => r.setRandomized(['block1_pool']), /"block1_pool" is not a randomizable layer/, /logits, fc1, block3_conv2/);
    r.dispose();
    m.dispose();
  });
});

test('the randomizer works inside a caller\'s tf.tidy without losing its kept tensors', () => {
  const m = pseudoTrained('small-cnn', 12);
  const p0 = predict(m, 2);
  const made: ModelRandomizer[] = [];
  tf.tidy(() => {
    const x = new ModelRandomizer(vmOf(m), { seed: 1 });
    x.setRandomized(['logits']);
    made.push(x);
  });
  const r = made[0];
  r.setRandomized(['fc1']);
  r.dispose();
  assert.ok(bitsEqual(predict(m, 2), p0));
  m.dispose();
});
