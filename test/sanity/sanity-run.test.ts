// runSanity end to end on a small CNN trained for a few epochs on the synthetic set (32 px, so that every
// measure, HOG included, is defined): step 0 is 1 under every measure, the maps' rank correlation with step 0 falls
// as layers are randomized, the numbers repeat with the same seed, --npy writes the documented layout, and the
// data randomization test runs on a pair trained by trainRandomizationPair, which fails clearly when the permuted
// model cannot memorize its labels.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../main/engine/backend/select-backend';
import type { BackendInfo } from '../../shared/provenance';
import { generateSynthDataset } from '../../main/engine/data/synth';
import { readNpy } from '../../main/engine/data/npy';
import { runTrain } from '../../main/engine/runs/train-run';
import { runSanity, type SanityRunOptions, type SanityRunResult } from '../../main/engine/runs/sanity-run';
import { trainRandomizationPair } from '../../main/engine/sanity/train-randomization-pair';
import { MEASURE_IDS } from '../../main/engine/similarity/registry';
import { assertUserError, liveTensors } from '../engine/helpers';

let tmp: string;
let backend: BackendInfo;
let data: string;
let model: string;
/** 24 images of 3 classes at 16 px, for the pair of models that must memorize their labels. */
let tiny: string;

before(async () => {
  backend = await initBackend('wasm');
  tmp = mkdtempSync(join(tmpdir(), 'dixw-sanity-'));
  data = join(tmp, 'data');
  model = join(tmp, 'model');
  generateSynthDataset({ out: data, n: 240, size: 32, classes: 3, seed: 3 });
  tiny = join(tmp, 'tiny');
  generateSynthDataset({ out: tiny, n: 24, size: 16, classes: 3, seed: 4 });
  // About 0.8 training accuracy in 10 epochs (~4 s): trained enough that its maps carry structure.
  const t = await runTrain({ data, arch: 'small-cnn', epochs: 10, out: model, permuteLabels: false, seed: 1, width: 0.25, learningRate: 2e-3,
    batchSize: 16, backend, appVersion: 'test' });
  assert.ok(t.finalTrainAccuracy > 0.6, `the tiny model did not train: ${t.finalTrainAccuracy}`);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const base = (): SanityRunOptions => ({ model, data, kind: 'cascading', methods: ['dix3', 'gradcam'], perClass: 2, seed: 7, backend });

function mean(r: SanityRunResult, step: number, method: string, measure: string): number | null {
  return r.summaries.find((s) => s.step === step && s.method === method && s.measure === measure)!.mean;
}

const numbers = (r: SanityRunResult) => ({ images: r.images, summaries: r.summaries, steps: r.steps });

describe('cascading randomization, end to end', () => {
  let first: SanityRunResult;
  const npy = () => join(tmp, 'npy');
  before(async () => {
    const progress: number[] = [];
    const live = liveTensors();
    first = await runSanity({ ...base(), npyDir: npy() }, (p) => progress.push(p.done));
    assert.equal(liveTensors(), live, 'tensors left behind by runSanity');
    assert.deepEqual(progress, [0, 1, 2, 3, 4, 5, 6]);
  });

  test('steps from the top, labelled by layer', () => {
    assert.deepEqual(first.steps.map((s) => s.label), ['trained', 'logits', 'fc1', 'block3_conv2', 'block3_conv1', 'block2_conv2',
      'block2_conv1', 'block1_conv2', 'block1_conv1']);
    assert.equal(first.images.length, 6);
    assert.deepEqual(first.notes, []);
    assert.deepEqual(first.measures.map((m) => m.id), MEASURE_IDS);
    assert.deepEqual(first.settings, { seed: 7, layersFrom: 'top', keepOriginalClass: false, includeBatchNorm: false, batchNormStats: 'keep' });
  });

  test('step 0 is 1 under every measure, for every image and method', () => {
    for (const im of first.images) {
      for (const [method, byMeasure] of Object.entries(im.steps[0].similarities)) {
        for (const [measure, v] of Object.entries(byMeasure)) assert.ok(v === null || Math.abs(v - 1) < 1e-9, `${im.image} ${method} ${measure}: ${v}`);
      }
    }
    for (const s of first.summaries.filter((x) => x.step === 0)) assert.ok(s.n > 0 && Math.abs(s.mean! - 1) < 1e-9, `${s.method} ${s.measure}`);
  });

  test('the mean Spearman rank correlation of DIX3 and Grad-CAM falls as layers are randomized', () => {
    const last = first.steps.length - 1;
    for (const method of ['dix3', 'gradcam']) {
      for (const measure of ['spearman-abs', 'spearman-signed']) {
        const curve = first.steps.map((s) => mean(first, s.step, method, measure));
        const late = curve.slice(1).filter((v): v is number => v !== null);
        assert.ok(late.length >= last - 1, `${method} ${measure}: too many undefined steps ${JSON.stringify(curve)}`);
        assert.ok(Math.max(...late) < 0.8, `${method} ${measure}: ${JSON.stringify(curve)}`);
        assert.ok((curve[last] ?? 0) < 0.6, `${method} ${measure} at the last step: ${curve[last]}`);
      }
    }
  });

  test('the same seed gives the same numbers; another seed other ones', async () => {
    const again = await runSanity(base());
    assert.deepEqual(numbers(again), numbers(first));
    const other = await runSanity({ ...base(), seed: 8 });
    assert.deepEqual(other.images[0].steps[0], first.images[0].steps[0], 'step 0 does not depend on the seed');
    assert.notDeepEqual(other.summaries, first.summaries);
  });

  test('--npy: OUT/<method>/step-<k>/<image>.npy for every step, raw float32 H x W, plus inputs and sanity.json', () => {
    for (const im of first.images) {
      const stem = im.image.replace(/\.png$/, '');
      assert.ok(existsSync(join(npy(), '_input', `${stem}.npy`)));
      for (const method of ['dix3', 'gradcam']) {
        for (const s of first.steps) {
          const a = readNpy(join(npy(), method, `step-${s.step}`, `${stem}.npy`));
          assert.deepEqual(a.shape, [32, 32]);
          assert.ok(a.data instanceof Float32Array);
        }
      }
    }
    const manifest = JSON.parse(readFileSync(join(npy(), 'sanity.json'), 'utf8'));
    assert.equal(manifest.kind, 'cascading');
    assert.deepEqual(manifest.steps, first.steps);
    assert.equal(Object.keys(manifest.images).length, 6);
  });
});

describe('independent randomization and the explained class', () => {
  test('independent: one layer per step; step 0 is 1', async () => {
    const r = await runSanity({ ...base(), kind: 'independent', methods: ['gradcam'], perClass: 1, measures: ['spearman-abs', 'ssim'] });
    assert.deepEqual(r.steps[3], { step: 3, label: 'block3_conv2', layers: ['block3_conv2'] });
    assert.equal(mean(r, 0, 'gradcam', 'ssim'), 1);
    assert.equal(r.summaries.length, r.steps.length * 2);
  });
  test('by default each randomized model explains its own top-1; keepOriginalClass explains the trained model\'s', async () => {
    const own = await runSanity({ ...base(), methods: ['gradcam'], measures: ['pearson'] });
    const stepTargets = own.images.flatMap((im) => im.steps.map((s) => s.targetClass === s.predictedClass));
    assert.ok(stepTargets.every(Boolean));
    const kept = await runSanity({ ...base(), methods: ['gradcam'], measures: ['pearson'], keepOriginalClass: true });
    for (const im of kept.images) for (const s of im.steps) assert.equal(s.targetClass, im.steps[0].targetClass);
    assert.ok(kept.images.some((im) => im.steps.some((s) => s.predictedClass !== s.targetClass)), 'no randomized model changed its top-1');
  });
});

describe('data randomization', () => {
  test('trainRandomizationPair trains both to 95%; the data test compares their maps', async () => {
    const pair = await trainRandomizationPair({ data: tiny, arch: 'small-cnn', epochs: 40, out: join(tmp, 'pair'), seed: 1, width: 0.25,
      learningRate: 1e-2, batchSize: 8, valSplit: 0, backend, appVersion: 'test' });
    assert.ok(pair.trueLabels.finalTrainAccuracy >= 0.95 && pair.randomLabels.finalTrainAccuracy >= 0.95);
    const log = JSON.parse(readFileSync(join(pair.randomModel, 'training-log.json'), 'utf8'));
    assert.equal(log.permuteLabels, true);
    const r = await runSanity({ ...base(), kind: 'data', data: tiny, model: pair.trueModel, randomModel: pair.randomModel, methods: ['dix3'], perClass: 2 });
    assert.deepEqual(r.steps.map((s) => s.label), ['true-labels', 'random-labels']);
    assert.equal(r.randomModel?.path, pair.randomModel);
    assert.ok(Math.abs(mean(r, 0, 'dix3', 'spearman-abs')! - 1) < 1e-9);
    assert.ok(mean(r, 1, 'dix3', 'spearman-abs')! < 0.9);
    // 16 px maps hold no HOG block: the measure is reported undefined, not silently averaged.
    assert.match(r.notes.join(' '), /hog-pearson is undefined here/);
  });
  test('a permuted model that does not reach 95% training accuracy is a clear UserError', async () => {
    await assertUserError(() => trainRandomizationPair({ data: tiny, arch: 'small-cnn', epochs: 40, randomEpochs: 1, out: join(tmp, 'pair-fail'), seed: 1,
      width: 0.25, learningRate: 1e-2, batchSize: 8, valSplit: 0, backend, appVersion: 'test' }),
    /trained on permuted labels reached \d+\.\d% training accuracy after 1 epochs; the data randomization test needs at least 95\.0%/, /--random-epochs/);
  });
  test('the data test needs the second model, and only the data test takes one', async () => {
    await assertUserError(() => runSanity({ ...base(), kind: 'data' }), /needs a second model trained on permuted labels/);
    await assertUserError(() => runSanity({ ...base(), kind: 'cascading', randomModel: model }), /only used by the data randomization test/);
  });
});
