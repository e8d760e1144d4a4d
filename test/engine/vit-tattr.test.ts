// T-Attr's relevance propagation: conservation where its rules conserve relevance (Linear alpha1-beta0, the halved
// matrix products, the rescaled residual sum, the residual fork, and so every block and the whole encoder), and the
// ViT methods against an independent PyTorch implementation (scripts/make-vit-fixtures.py) on a saved tiny ViT:
// logits, attentions, their gradients, T-Attr's attention relevances, and the rollout, GAE, T-Attr, DIX1 and DIX3 maps.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadVisionModel } from '../../main/engine/model/load-model';
import type { ViTVisionModel } from '../../main/engine/model/vit/vit-vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { attentionGradients } from '../../main/engine/explain/methods/vit-attention-pass';
import {
  addRelevance, blockActivations, blockOutput, blockRelevance, cloneRelevance, encoderRelevance, linearRelevance, productRelevance,
} from '../../main/engine/explain/methods/tattr-lrp';
import { assertClose, sum, uniform, values } from './helpers';
import { makeTestVit } from './vit-reference';

before(async () => {
  await initBackend('wasm');
});

const FIXTURES = 'test/fixtures/vit';
const t2 = (seed: number, rows: number, cols: number, lo = -1, hi = 1) => tf.tensor2d(uniform(seed, rows * cols, lo, hi), [rows, cols]);
const total = (t: tf.Tensor) => sum(values(t));

describe('T-Attr relevance conservation', () => {
  test('each rule hands on the relevance it receives', () => {
    tf.tidy(() => {
      // Positive inputs: every output then has Z > 0 (the rule drops the relevance of an output with Z = 0, e.g.
      // where positive inputs meet only negative weights and negative inputs only positive ones).
      const x = t2(1, 5, 8, 0.1, 1);
      const r = t2(2, 5, 3, 0, 1);
      const lin = linearRelevance(r, x, { kernel: t2(3, 8, 3), bias: tf.reshape(t2(4, 1, 3), [3]) as tf.Tensor1D });
      assertClose(values(tf.sum(lin, 1)), values(tf.sum(r, 1)), 1e-5, 'Linear, per row');
      const [ra, rb] = productRelevance(tf.reshape(r, [1, 5, 3]), tf.reshape(t2(5, 5, 6), [1, 5, 6]), tf.reshape(t2(6, 6, 3), [1, 6, 3]));
      assert.ok(Math.abs(total(ra) - total(r) / 2) < 1e-4 && Math.abs(total(rb) - total(r) / 2) < 1e-4, 'A · B: each operand gets half');
      const rs = t2(7, 5, 5, 0, 1);
      const [rq, rk] = productRelevance(tf.reshape(rs, [1, 5, 5]), tf.reshape(t2(8, 5, 2), [1, 5, 2]), tf.reshape(t2(9, 5, 2), [1, 5, 2]), true);
      assert.ok(Math.abs(total(rq) - total(rs) / 2) < 1e-4 && Math.abs(total(rk) - total(rs) / 2) < 1e-4, 'q kᵀ: each operand gets half');
      const [s1, s2] = addRelevance(r, t2(10, 5, 3), t2(11, 5, 3));
      assert.ok(Math.abs(total(s1) + total(s2) - total(r)) < 1e-5, 'residual sum');
      assert.ok(Math.abs(total(cloneRelevance(r, t2(12, 5, 3), t2(13, 5, 3))) - total(r) - total(t2(12, 5, 3))) < 1e-4, 'fork');
    });
  });

  test('a block, and the whole encoder from the one-hot logit to the tokens entering block 0', () => {
    const vm = makeTestVit({ seed: 41 });
    const e = vm.encoder();
    tf.tidy(() => {
      const tokens = tf.reshape(vm.tokensBefore(tf.tensor4d(uniform(42, 8 * 8 * 3), [1, 8, 8, 3]), 0), [vm.tokens, vm.config.dim]);
      const a = blockActivations(tokens, e.blocks[0], vm.heads, e.gelu);
      const r = tf.tensor2d(uniform(43, vm.tokens * vm.config.dim, 0, 1), [vm.tokens, vm.config.dim]);
      const out = blockRelevance(r, a, e.blocks[0], vm.heads);
      assert.ok(Math.abs(total(out.input) - total(r)) < 1e-3 * total(r), `block: ${total(out.input)} vs ${total(r)}`);
      assert.deepEqual(out.attention.shape, [vm.heads, vm.tokens, vm.tokens]);
      assertClose(values(blockOutput(a)), values(vm.tokensBefore(tf.tensor4d(uniform(42, 8 * 8 * 3), [1, 8, 8, 3]), 1)), 1e-5, 'its forward pass is the model\'s');
      const lrp = encoderRelevance(tokens, e, vm.heads, 1);
      assert.ok(Math.abs(total(lrp.input) - 1) < 1e-3, `encoder: relevance ${total(lrp.input)} at the input for 1 at the logit`);
    });
    vm.dispose();
  });
});

describe('ViT methods against PyTorch (scripts/make-vit-fixtures.py)', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
  const inputJson = JSON.parse(readFileSync(join(FIXTURES, 'input.json'), 'utf8'));
  const flat = (v: unknown): number[] => (v as unknown[]).flat(Infinity as 1) as number[];

  test('logits, attentions, their gradients and T-Attr\'s attention relevances', async () => {
    const vm = await loadVisionModel(join(FIXTURES, 'model')) as ViTVisionModel;
    const k = expected.targetClass as number;
    tf.tidy(() => {
      const x = tf.tensor4d(inputJson.data, inputJson.shape);
      const blocks = [0, 1, 2];
      const { attentions, gradients } = attentionGradients((o) => vm.forward(x, o), blocks, [1, vm.heads, vm.tokens, vm.tokens], k);
      assertClose(values(vm.predict(x)), expected.logits, 1e-4, 'logits');
      assertClose(attentions.flatMap(values), flat(expected.attention), 1e-4, 'attention');
      assertClose(gradients.flatMap(values), flat(expected.grad), 1e-3, 'gradient');
      const lrp = encoderRelevance(tf.reshape(vm.tokensBefore(x, 0), [vm.tokens, vm.config.dim]), vm.encoder(), vm.heads, k);
      lrp.attention.forEach((r, b) => assertClose(values(r), flat(expected.relevance[b]), 5e-3, `relevance of block ${b}'s attention`));
      assert.ok(Math.abs(total(lrp.input) - expected.relevanceInputSum) < 1e-3);
    });
    vm.dispose();
  });

  test('rollout, GAE, T-Attr, DIX1 and DIX3 maps', async () => {
    const vm = await loadVisionModel(join(FIXTURES, 'model'));
    const x = tf.tensor4d(inputJson.data, inputJson.shape);
    const ids = ['rollout', 'gae', 'tattr', 'dix1', 'dix3'];
    const r = explainImage(vm, x, planMethods(vm, ids, {}));
    assert.equal(r.targetClass, expected.targetClass);
    for (const m of r.maps) assertClose(m.map, flat(expected.maps[m.methodId]), 2e-3, m.methodId);
    // The five maps differ from each other (the comparison above can tell them apart).
    assert.ok(Math.max(...r.maps[0].map.map((v, i) => Math.abs(v / r.maps[0].map[0] - r.maps[2].map[i] / r.maps[2].map[0]))) > 1e-2);
    x.dispose();
    vm.dispose();
  });
});
