// Step plans and per-step summaries: what step k randomizes in each test, and mean / sample std / bootstrap
// interval over images with undefined values left out and counted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planRandomizationSteps } from '../../main/engine/sanity/randomization-steps';
import { summarizeValues } from '../../main/engine/sanity/summarize-values';
import { summarizeSteps } from '../../main/engine/sanity/step-summaries';
import { uniform } from '../engine/helpers';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('randomization steps', () => {
  const top = ['logits', 'fc1', 'conv2', 'conv1'];
  test('cascading from the top: step k = the top k layers; step 0 = trained', () => {
    assert.deepEqual(planRandomizationSteps(top, 'cascading'), [
      { step: 0, label: 'trained', layers: [] },
      { step: 1, label: 'logits', layers: ['logits'] },
      { step: 2, label: 'fc1', layers: ['logits', 'fc1'] },
      { step: 3, label: 'conv2', layers: ['logits', 'fc1', 'conv2'] },
      { step: 4, label: 'conv1', layers: ['logits', 'fc1', 'conv2', 'conv1'] },
    ]);
  });
  test('independent: step k = only layer k', () => {
    assert.deepEqual(planRandomizationSteps(top, 'independent').map((s) => s.layers), [[], ['logits'], ['fc1'], ['conv2'], ['conv1']]);
  });
  test('from the bottom: the order is reversed', () => {
    assert.deepEqual(planRandomizationSteps(top, 'cascading', 'bottom')[2].layers, ['conv1', 'conv2']);
  });
});

describe('summaries', () => {
  test('mean, sample standard deviation, interval around the mean', () => {
    const s = summarizeValues([1, 2, 3, 4], 1);
    assert.equal(s.n, 4);
    assert.equal(s.undefinedCount, 0);
    assert.equal(s.mean, 2.5);
    close(s.std!, Math.sqrt(5 / 3));
    const [lo, hi] = s.ci95!;
    assert.ok(lo >= 1 && lo < 2.5 && hi > 2.5 && hi <= 4, `${lo}..${hi}`);
  });
  test('null and NaN are left out and counted; none left: nulls', () => {
    const s = summarizeValues([0.5, null, NaN, 0.7], 1);
    assert.equal(s.n, 2);
    assert.equal(s.undefinedCount, 2);
    close(s.mean!, 0.6);
    assert.deepEqual(summarizeValues([null, NaN], 1), { n: 0, undefinedCount: 2, mean: null, std: null, ci95: null });
  });
  test('one value: no std, a degenerate interval; constant values: a degenerate interval', () => {
    assert.deepEqual(summarizeValues([0.3], 1), { n: 1, undefinedCount: 0, mean: 0.3, std: null, ci95: [0.3, 0.3] });
    assert.deepEqual(summarizeValues([0.25, 0.25, 0.25], 1).ci95, [0.25, 0.25]);
  });
  test('the bootstrap is seeded, and its interval of a large sample is close to mean +- 1.96 sd / sqrt(n)', () => {
    const xs = uniform(1, 400, 0, 1);
    assert.deepEqual(summarizeValues(xs, 5).ci95, summarizeValues(xs, 5).ci95);
    assert.notDeepEqual(summarizeValues(xs, 5).ci95, summarizeValues(xs, 6).ci95);
    const s = summarizeValues(xs, 5);
    const half = (1.96 * s.std!) / Math.sqrt(xs.length);
    close(s.ci95![0], s.mean! - half, half * 0.15);
    close(s.ci95![1], s.mean! + half, half * 0.15);
  });
  test('grouped by step, method and measure, in step order, labelled', () => {
    const rows = [
      { step: 1, method: 'dix3', measure: 'ssim', value: 0.2 },
      { step: 0, method: 'dix3', measure: 'ssim', value: 1 },
      { step: 1, method: 'dix3', measure: 'ssim', value: 0.4 },
      { step: 0, method: 'dix3', measure: 'ssim', value: 1 },
      { step: 1, method: 'gradcam', measure: 'ssim', value: null },
    ];
    const out = summarizeSteps(rows, new Map([[0, 'trained'], [1, 'logits']]), 3);
    assert.deepEqual(out.map((s) => [s.step, s.label, s.method, s.n, s.undefinedCount]), [
      [0, 'trained', 'dix3', 2, 0], [1, 'logits', 'dix3', 2, 0], [1, 'logits', 'gradcam', 0, 1]]);
    close(out[1].mean!, 0.3);
  });
});
