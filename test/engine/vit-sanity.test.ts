// The sanity tests (docs/methods.md §5) on ViTs: cascading and independent randomization go through the ViT's
// parameterized modules (head, each block's MLP and attention linears, patch embedding; layer norms only when asked),
// from the output down, and change the maps; data randomization trains two tiny ViTs through `dixw train`'s path
// (runs/train-run.ts) on true and on permuted labels, and loads them back from their folders.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { generateSynthDataset } from '../../main/engine/data/synth';
import { loadVisionModel } from '../../main/engine/model/load-model';
import { SanitySession } from '../../main/engine/sanity/sanity-session';
import { trainRandomizationPair } from '../../main/engine/sanity/train-randomization-pair';
import { uniform } from './helpers';
import { makeTestVit } from './vit-reference';

let backend: Awaited<ReturnType<typeof initBackend>>;
before(async () => {
  backend = await initBackend('wasm');
});

describe('model randomization on a ViT', () => {
  test('cascading: steps are the ViT\'s modules from the head down, and the maps move away from step 0', () => {
    const vm = makeTestVit({ seed: 61 });
    const session = new SanitySession({ kind: 'cascading', vm, methods: ['dix3', 'rollout', 'gradcam'], methodOptions: { steps: 3 }, seed: 1, measures: ['spearman-abs'] });
    assert.deepEqual(session.steps.slice(1, 7).map((s) => s.label),
      ['head', 'blocks.2.mlp.fc2', 'blocks.2.mlp.fc1', 'blocks.2.attn.proj', 'blocks.2.attn.qkv', 'blocks.1.mlp.fc2']);
    assert.equal(session.steps[session.steps.length - 1].label, 'patch_embed.proj');
    assert.ok(session.steps.every((s) => !s.label.includes('norm')), 'layer norms only with --include-batch-norm');
    const x = tf.tensor4d(uniform(62, 8 * 8 * 3), [1, 8, 8, 3]);
    const before = tf.tidy(() => Array.from(vm.predict(x).dataSync()));
    const results = session.explainImage(x);
    session.dispose();
    assert.deepEqual(tf.tidy(() => Array.from(vm.predict(x).dataSync())), before, 'the trained weights are back');
    assert.equal(results.length, session.steps.length);
    for (const id of ['dix3', 'rollout']) {
      assert.equal(results[0].similarities[id]['spearman-abs'], 1);
      const last = results[results.length - 1].similarities[id]['spearman-abs']!;
      assert.ok(last < 0.9, `${id}: fully randomized model still correlates ${last}`);
    }
    x.dispose();
    vm.dispose();
  });

  test('independent randomization with layer norms included', () => {
    const vm = makeTestVit({ seed: 63, depth: 2 });
    const session = new SanitySession({ kind: 'independent', vm, methods: ['gae'], seed: 2, measures: ['pearson'], includeBatchNorm: true });
    assert.ok(session.steps.some((s) => s.label === 'blocks.1.norm2') && session.steps.some((s) => s.label === 'embeddings'));
    const x = tf.tensor4d(uniform(64, 8 * 8 * 3), [1, 8, 8, 3]);
    const results = session.explainImage(x);
    session.dispose();
    assert.ok(results.slice(1).some((r) => r.similarities.gae.pearson! < 0.99));
    x.dispose();
    vm.dispose();
  });
});

describe('data randomization with two tiny ViTs', () => {
  test('trained on true and on permuted labels by the train path, to 95% training accuracy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dixw-vit-pair-'));
    try {
      generateSynthDataset({ out: join(dir, 'data'), n: 12, size: 16, classes: 3, seed: 5 });
      const pair = await trainRandomizationPair({ data: join(dir, 'data'), arch: 'vit-tiny', epochs: 150, randomEpochs: 300, out: join(dir, 'models'),
        seed: 3, width: 0.5, learningRate: 3e-3, batchSize: 12, valSplit: 0, backend, appVersion: 'test' });
      assert.ok(pair.trueLabels.finalTrainAccuracy >= 0.95 && pair.randomLabels.finalTrainAccuracy >= 0.95);
      const log = JSON.parse(readFileSync(join(pair.randomModel, 'training-log.json'), 'utf8'));
      assert.equal(log.arch, 'vit-tiny');
      assert.equal(log.permuteLabels, true);
      const vm = await loadVisionModel(pair.trueModel);
      const randomVm = await loadVisionModel(pair.randomModel);
      assert.equal(vm.kind, 'vit');
      assert.equal(vm.hash, pair.trueLabels.modelHash);
      const session = new SanitySession({ kind: 'data', vm, randomVm, methods: ['dix2', 'tattr'], methodOptions: { steps: 3 }, seed: 0, measures: ['spearman-abs'] });
      const x = tf.tensor4d(uniform(65, 16 * 16 * 3, 0, 1), [1, 16, 16, 3]);
      const results = session.explainImage(x);
      assert.deepEqual(results.map((r) => r.label), ['true-labels', 'random-labels']);
      assert.ok(results[1].maps.every((m) => m.map.every(Number.isFinite)));
      session.dispose();
      x.dispose();
      vm.dispose();
      randomVm.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
