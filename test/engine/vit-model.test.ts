// The built-in ViT against a plain-JavaScript forward pass (vit-reference.ts): its own attention given back as a
// replacement changes nothing, a scaled attention gives the hand-computed logits, gradients w.r.t. the attention
// (through probes) match finite differences, the pass from any block's tokens equals the whole pass, and the folder
// round-trips through loadVisionModel. Also the randomization interface and a tensor-leak check.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadVisionModel, modelHash, modelKindOf } from '../../main/engine/model/load-model';
import { saveVit } from '../../main/engine/model/vit/vit-io';
import { ViTVisionModel } from '../../main/engine/model/vit/vit-vision-model';
import { vitTinyConfig } from '../../main/engine/model/vit/vit-config';
import { PreprocessingSchema } from '../../shared/preprocessing';
import { attentionGradients } from '../../main/engine/explain/methods/vit-attention-pass';
import { assertClose, uniform, values } from './helpers';
import { makeTestVit, referenceForward, type Mat } from './vit-reference';

before(async () => {
  await initBackend('wasm');
});

const image = (seed: number, n = 8 * 8 * 3) => uniform(seed, n, -1, 1);
const input = (data: number[], shape: [number, number, number] = [8, 8, 3]) => tf.tensor4d(data, [1, ...shape]);

/** [1, heads, T, T] -> per head [T][T] */
function perHead(a: tf.Tensor): Mat[] {
  const [, h, t] = a.shape;
  const v = values(a);
  return Array.from({ length: h }, (_, i) => Array.from({ length: t }, (_, r) => v.slice((i * t + r) * t, (i * t + r + 1) * t)));
}

describe('ViT forward pass', () => {
  test('equals the plain-JavaScript forward pass, attentions included', () => {
    const vm = makeTestVit({ seed: 1 });
    const x = image(2);
    const ref = referenceForward(vm, x);
    tf.tidy(() => {
      const pass = vm.forward(input(x));
      assertClose(values(pass.logits), ref.logits, 1e-4, 'logits');
      pass.attentions.forEach((a, b) => assertClose(values(a), ref.attentions[b].flat(2), 1e-4, `attention of block ${b}`));
      // Far from uniform, so that the comparisons below can tell attentions apart.
      assert.ok(Math.max(...values(pass.attentions[1])) > 0.5);
    });
    vm.dispose();
  });

  test('its own attention given as the replacement changes nothing (1e-5)', () => {
    const vm = makeTestVit({ seed: 3 });
    tf.tidy(() => {
      const x = input(image(4));
      const plain = vm.forward(x);
      for (let b = 0; b < vm.blocks; b++) {
        const replaced = vm.forward(x, { replace: new Map([[b, plain.attentions[b]]]) });
        assertClose(values(replaced.logits), values(plain.logits), 1e-5, `block ${b}`);
      }
    });
    vm.dispose();
  });

  test('a scaled attention in one block gives the hand-computed logits', () => {
    const vm = makeTestVit({ seed: 5 });
    const x = image(6);
    const own = referenceForward(vm, x).attentions[1];
    const scaled = own.map((m) => m.map((row) => row.map((v) => 0.3 * v)));
    const ref = referenceForward(vm, x, new Map([[1, scaled]]));
    tf.tidy(() => {
      const a = vm.forward(input(x)).attentions[1];
      const out = vm.forward(input(x), { replace: new Map([[1, tf.mul(a, 0.3)]]) });
      assertClose(values(out.logits), ref.logits, 1e-4, 'logits');
      assertClose(values(out.attentions[1]), scaled.flat(2), 1e-4, 'the attention reported is the one used');
      // And the scaling matters: the plain logits differ.
      assert.ok(Math.max(...values(vm.forward(input(x)).logits).map((v, i) => Math.abs(v - ref.logits[i]))) > 1e-2);
    });
    vm.dispose();
  });

  test('gradients w.r.t. every block\'s attention (probes) match central finite differences', async () => {
    // On the cpu backend: the same float32 kernels as a reference, and its differences are less noisy.
    await initBackend('cpu');
    try {
      const vm = makeTestVit({ seed: 7 });
      const x = image(8);
      const k = 2;
      const logit = (replace: Map<number, Mat[]>) => referenceForward(vm, x, replace).logits[k];
      const own = referenceForward(vm, x).attentions;
      tf.tidy(() => {
        const blocks = [0, 1, 2];
        const { attentions, gradients } = attentionGradients((o) => vm.forward(input(x), o), blocks, [1, vm.heads, vm.tokens, vm.tokens], k);
        for (const b of blocks) {
          assertClose(values(attentions[b]), own[b].flat(2), 1e-4, `attention ${b}`);
          const g = perHead(gradients[b]);
          // A random direction V: <dA, V> against (f(A + eV) - f(A - eV)) / 2e, in float64 through the reference.
          const dir = own[b].map((m, h) => m.map((row, i) => row.map((_, j) => uniform(100 * b + 10 * h + i, m.length)[j])));
          const eps = 1e-4;
          const shifted = (s: number) => new Map([[b, own[b].map((m, h) => m.map((row, i) => row.map((v, j) => v + s * eps * dir[h][i][j])))]]);
          const fd = (logit(shifted(1)) - logit(shifted(-1))) / (2 * eps);
          const analytic = g.reduce((s, m, h) => s + m.reduce((s2, row, i) => s2 + row.reduce((s3, v, j) => s3 + v * dir[h][i][j], 0), 0), 0);
          assert.ok(Math.abs(fd - analytic) <= 1e-3 * Math.max(1, Math.abs(fd)), `block ${b}: directional derivative ${analytic} vs finite difference ${fd}`);
          // Single entries: the [CLS] row (which reaches the logits) and a patch row.
          for (const [h, i, j] of [[0, 0, 3], [1, 0, 0], [1, 5, 7]]) {
            const one = (s: number) => new Map([[b, own[b].map((m, hh) => m.map((row, ii) => row.map((v, jj) => v + (hh === h && ii === i && jj === j ? s * eps : 0))))]]);
            const fd1 = (logit(one(1)) - logit(one(-1))) / (2 * eps);
            assert.ok(Math.abs(fd1 - g[h][i][j]) <= 1e-3 * Math.max(1, Math.abs(fd1)), `block ${b} [${h},${i},${j}]: ${g[h][i][j]} vs ${fd1}`);
          }
        }
        // The last block's non-[CLS] rows do not reach the logits.
        assert.ok(Math.max(...perHead(gradients[2]).flatMap((m) => m.slice(1).flat()).map(Math.abs)) < 1e-6);
      });
      vm.dispose();
    } finally {
      await initBackend('wasm');
    }
  });

  test('tokensBefore + forwardFrom, tailLogits and forwardWithActivations agree with the whole pass', () => {
    const vm = makeTestVit({ seed: 9 });
    tf.tidy(() => {
      const x = input(image(10));
      const whole = vm.forward(x);
      const acts = vm.forwardWithActivations(x, vm.cuts.slice(1));
      assertClose(values(acts.logits), values(whole.logits), 1e-5, 'forwardWithActivations');
      for (let b = 0; b <= vm.blocks; b++) {
        const from = vm.forwardFrom(b, vm.tokensBefore(x, b));
        assertClose(values(from.logits), values(whole.logits), 1e-5, `from block ${b}`);
        assert.equal(from.attentions.length, vm.blocks - b);
        if (b < vm.blocks) assertClose(values(from.attentions[0]), values(whole.attentions[b]), 1e-5, `attention ${b}`);
      }
      vm.cuts.slice(1).forEach((cut, i) => {
        assertClose(values(vm.tailLogits(cut, acts.activations[i])), values(whole.logits), 1e-5, `tail from ${cut.name}`);
        assert.deepEqual(acts.activations[i].shape, [1, ...cut.shape]);
      });
      assertClose(values(vm.tailLogits(vm.cuts[0], x)), values(whole.logits), 1e-6, 'tail from the input');
      assertClose(values(vm.predict(x)), values(whole.logits), 1e-6, 'predict');
    });
    vm.dispose();
  });

  test('a replaced attention of a batch acts per sample', () => {
    const vm = makeTestVit({ seed: 11 });
    tf.tidy(() => {
      const x = input(image(12));
      const a = vm.forward(x).attentions[2];
      const t = tf.reshape(tf.tensor1d([0.2, 1]), [2, 1, 1, 1]);
      const tokens = tf.tile(vm.tokensBefore(x, 2), [2, 1, 1]);
      const out = vm.forwardFrom(2, tokens, { replace: new Map([[2, tf.mul(t, a)]]) });
      const single = vm.forwardFrom(2, vm.tokensBefore(x, 2), { replace: new Map([[2, tf.mul(a, 0.2)]]) });
      assertClose(values(out.logits).slice(0, 3), values(single.logits), 1e-5, 'first sample (t = 0.2)');
      assertClose(values(out.logits).slice(3), values(vm.predict(x)), 1e-5, 'second sample (t = 1)');
    });
    vm.dispose();
  });
});

describe('ViT as a model kind', () => {
  test('cut points, parameterized modules and seeded fresh weights', () => {
    const prep = PreprocessingSchema.parse({ height: 32, width: 32, channels: 3 });
    const vm = new ViTVisionModel(vitTinyConfig([32, 32, 3], 4), prep, { seed: 1 });
    assert.equal(vm.kind, 'vit');
    assert.deepEqual(vm.cuts.map((c) => c.name), ['input', 'blocks.0', 'blocks.1', 'blocks.2', 'blocks.3']);
    assert.deepEqual(vm.cuts[1].shape, [65, 64]);
    assert.deepEqual(vm.grid, [8, 8]);
    const modules = vm.parameterizedModules();
    assert.deepEqual(modules.slice(0, 8).map((m) => m.name),
      ['patch_embed.proj', 'embeddings', 'blocks.0.norm1', 'blocks.0.attn.qkv', 'blocks.0.attn.proj', 'blocks.0.norm2', 'blocks.0.mlp.fc1', 'blocks.0.mlp.fc2']);
    assert.deepEqual(modules.slice(-2).map((m) => m.name), ['norm', 'head']);
    assert.equal(modules.filter((m) => m.isNormalization).length, 2 * 4 + 1);
    const qkv = modules[3].weights.find((w) => w.role === 'weight')!;
    tf.tidy(() => {
      const a = values(qkv.fresh(7));
      assert.deepEqual(values(qkv.fresh(7)), a, 'same seed, same values');
      assert.notDeepEqual(values(qkv.fresh(8)), a);
      // PyTorch's Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 64.
      assert.ok(Math.max(...a.map(Math.abs)) <= 1 / 8 && Math.max(...a.map(Math.abs)) > 0.9 / 8);
      const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 3);
      const before = values(vm.predict(x));
      const trained = tf.clone(qkv.read());
      qkv.write(qkv.fresh(7));
      assert.notDeepEqual(values(vm.predict(x)), before, 'write() changes the model');
      qkv.write(trained);
      assert.deepEqual(values(vm.predict(x)), before, 'and writing the old value back restores it');
    });
    vm.dispose();
  });

  test('saves and loads through loadVisionModel, with a stable content hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dixw-vit-'));
    try {
      const vm = makeTestVit({ seed: 13 });
      saveVit(vm, dir);
      assert.equal(modelKindOf(dir), 'vit');
      const loaded = await loadVisionModel(dir);
      assert.equal(loaded.kind, 'vit');
      assert.equal(loaded.hash, modelHash(dir));
      assert.equal(modelHash(join(dir, 'model.json')), modelHash(dir));
      tf.tidy(() => {
        const x = input(image(14));
        assert.deepEqual(values(loaded.predict(x)), values(vm.predict(x)));
      });
      assert.equal(loaded.countParams(), vm.countParams());
      loaded.dispose();
      vm.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('leaks no tensors over repeated passes', () => {
    const vm = makeTestVit({ seed: 15 });
    const x = input(image(16));
    const once = () => tf.tidy(() => {
      vm.predict(x);
      vm.forwardWithActivations(x, vm.cuts.slice(1));
      attentionGradients((o) => vm.forward(x, o), [0, 1, 2], [1, vm.heads, vm.tokens, vm.tokens], 0);
    });
    once();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    assert.equal(tf.memory().numTensors, n);
    const acts = vm.forwardWithActivations(x, vm.cuts.slice(1, 3));
    for (const t of [...acts.activations, acts.logits]) t.dispose();
    assert.equal(tf.memory().numTensors, n);
    x.dispose();
    vm.dispose();
  });
});
