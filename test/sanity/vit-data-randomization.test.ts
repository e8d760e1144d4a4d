// Data randomization with two tiny ViTs end to end through the command line (issue 11): `dixw sanity data --train
// vit-tiny` trains the pair in the job (true and seeded permuted labels, both to 95% training accuracy), explains the
// images with the ViT methods on both, and reports per method the similarity of the random-label model's maps to the
// true-label model's, with the raw maps written by --npy. A small case: 12 synthetic 16x16 images in 3 classes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateSynthDataset } from '../../main/engine/data/synth';
import { readNpy } from '../../main/engine/data/npy';
import type { SanityJobSummary } from '../../shared/service-api';
import { tempDir } from '../store/helpers';
import { hasStackTrace, runCli } from '../helpers/run-cli';

let dir: string;
let cleanup: () => void;

before(() => {
  ({ dir, cleanup } = tempDir('dixw-vit-data-rand-'));
  generateSynthDataset({ out: join(dir, 'data'), n: 12, size: 16, classes: 3, seed: 5 });
});
after(() => cleanup());

test('dixw sanity data --train vit-tiny trains two tiny ViTs and compares their rollout, GAE and DIX2 maps', () => {
  const data = join(dir, 'data');
  const r = runCli(['sanity', 'data', '--train', 'vit-tiny', '--epochs', '150', '--random-epochs', '300', '--width', '0.5', '--lr', '3e-3',
    '--batch-size', '12', '--train-data', data, '--data', data, '--method', 'dix2,rollout,gae', '--measures', 'spearman-abs', '--limit', '3',
    '--db', join(dir, 'w.db'), '--train-out', join(dir, 'pair'), '--npy', join(dir, 'maps'), '--backend', 'wasm', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const s = JSON.parse(r.stdout) as SanityJobSummary & { trainedPair: { trueLabels: { finalTrainAccuracy: number }; randomLabels: { finalTrainAccuracy: number } } };
  assert.equal(s.test, 'data');
  assert.deepEqual(s.steps.map((step) => step.label), ['true-labels', 'random-labels']);
  assert.ok(s.trainedPair.trueLabels.finalTrainAccuracy >= 0.95 && s.trainedPair.randomLabels.finalTrainAccuracy >= 0.95);
  for (const which of ['true-labels', 'random-labels']) {
    const log = JSON.parse(readFileSync(join(dir, 'pair', which, 'training-log.json'), 'utf8')) as { arch: string; permuteLabels: boolean };
    assert.equal(log.arch, 'vit-tiny');
    assert.equal(log.permuteLabels, which === 'random-labels');
  }
  for (const method of ['dix2', 'rollout', 'gae']) {
    const rows = s.summaries.filter((x) => x.method === method && x.measure === 'spearman-abs');
    assert.equal(rows.find((x) => x.step === 0)?.mean, 1, `${method}: step 0 is the true-label model itself`);
    const random = rows.find((x) => x.step === 1)!;
    assert.equal(random.n, 3);
    assert.ok(random.mean !== null && Number.isFinite(random.mean) && random.mean < 1, `${method}: the random-label model's maps differ (${random.mean})`);
    const map = join(dir, 'maps', method, 'step-1');
    assert.ok(existsSync(map), `${map} written`);
  }
  const maps = readdirSync(join(dir, 'maps', 'rollout', 'step-1'), { recursive: true }).map(String).filter((f) => f.endsWith('.npy'));
  assert.equal(maps.length, 3);
  const map = readNpy(join(dir, 'maps', 'rollout', 'step-1', maps[0]));
  assert.deepEqual([...map.shape], [16, 16]);
});
