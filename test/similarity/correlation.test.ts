// Pearson and Spearman on hand-computed small cases: average ranks for ties (as scipy.stats.rankdata), NaN for
// constant inputs, the invariances each coefficient must have, and the |map| vs signed variants of the measures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pearsonCorrelation } from '../../main/engine/similarity/correlation';
import { averageRanks } from '../../main/engine/similarity/ranks';
import { spearmanAbs, spearmanCorrelation, spearmanSigned } from '../../main/engine/similarity/spearman';
import { pearson } from '../../main/engine/similarity/pearson';
import { uniform } from '../engine/helpers';

const f32 = (xs: number[]) => Float32Array.from(xs);
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('average ranks', () => {
  test('ties share the mean of the ranks they span', () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 20, 30])), [1, 2.5, 2.5, 4]);
    assert.deepEqual(Array.from(averageRanks([3, 1, 3, 3, 2])), [4, 1, 4, 4, 2]);
    assert.deepEqual(Array.from(averageRanks([5, 5, 5])), [2, 2, 2]);
    assert.deepEqual(Array.from(averageRanks([-0, 0, 1])), [1.5, 1.5, 3]);
  });
  test('NaN anywhere makes every rank NaN', () => {
    assert.ok(Array.from(averageRanks([1, NaN, 2])).every(Number.isNaN));
  });
});

describe('Pearson', () => {
  test('known values', () => {
    close(pearsonCorrelation([1, 2, 3], [1, 2, 3]), 1);
    close(pearsonCorrelation([1, 2, 3], [3, 2, 1]), -1);
    // x = [1, 2, 3, 4], y = [2, 1, 4, 3]: deviations (-1.5, -.5, .5, 1.5) and (-.5, -1.5, 1.5, .5); sxy = 3, sxx = syy = 5.
    close(pearsonCorrelation([1, 2, 3, 4], [2, 1, 4, 3]), 0.6);
    // y = x^2 on [0, 1, 2]: deviations (-1, 0, 1) and (-5/3, -2/3, 7/3); sxy = 4, sxx = 2, syy = 78/9.
    close(pearsonCorrelation([0, 1, 2], [0, 1, 4]), 4 / Math.sqrt(2 * 78 / 9));
  });
  test('constant input or fewer than 2 values: NaN', () => {
    assert.ok(Number.isNaN(pearsonCorrelation([1, 1, 1], [1, 2, 3])));
    assert.ok(Number.isNaN(pearsonCorrelation([1, 2, 3], [0, 0, 0])));
    assert.ok(Number.isNaN(pearsonCorrelation([1], [2])));
    assert.ok(Number.isNaN(pearson.compute(f32([0, 0, 0, 0]), f32([0, 0, 0, 0]), 2, 2)));
  });
  test('invariant to positive affine maps of either input; sign flips with a negative scale', () => {
    const a = uniform(1, 64);
    const b = uniform(2, 64).map((v, i) => v + a[i]);
    const r = pearsonCorrelation(a, b);
    close(pearsonCorrelation(a.map((v) => 3 * v - 7), b.map((v) => 0.25 * v + 2)), r, 1e-12);
    close(pearsonCorrelation(a.map((v) => -2 * v + 1), b), -r, 1e-12);
  });
  test('the measure takes raw signed maps and checks their size', () => {
    close(pearson.compute(f32([1, 2, 3, 4]), f32([2, 1, 4, 3]), 2, 2), 0.6, 1e-7);
    assert.throws(() => pearson.compute(f32([1, 2, 3]), f32([1, 2, 3]), 2, 2), /maps of 3 and 3 values for 2x2/);
  });
});

describe('Spearman', () => {
  test('with ties: Pearson of the average ranks', () => {
    // ranks of a = [1, 2.5, 2.5, 4], of b = [1, 2, 3, 4]: deviations (-1.5, 0, 0, 1.5) and (-1.5, -.5, .5, 1.5);
    // sxy = 4.5, sxx = 4.5, syy = 5, rho = 4.5 / sqrt(22.5) = 3 / sqrt(10).
    close(spearmanCorrelation([1, 2, 2, 3], [10, 20, 30, 40]), 3 / Math.sqrt(10));
    // Both tied on the same pair: the ranks are equal, rho = 1.
    close(spearmanCorrelation([1, 2, 2, 3], [5, 7, 7, 9]), 1);
  });
  test('no ties: 1 - 6 sum d^2 / (n (n^2 - 1))', () => {
    const a = [3, 1, 4, 1.5, 5, 9, 2.6];
    const b = [2, 7, 1, 8, 2.8, 18, 2.9];
    const ra = averageRanks(a);
    const rb = averageRanks(b);
    const n = a.length;
    const d2 = ra.reduce((s, r, i) => s + (r - rb[i]) ** 2, 0);
    close(spearmanCorrelation(a, b), 1 - (6 * d2) / (n * (n * n - 1)), 1e-12);
  });
  test('constant map: NaN (also after |.|, e.g. a map that is +c and -c)', () => {
    assert.ok(Number.isNaN(spearmanSigned.compute(f32([2, 2, 2, 2]), f32([1, 2, 3, 4]), 2, 2)));
    assert.ok(Number.isNaN(spearmanAbs.compute(f32([1, -1, 1, -1]), f32([1, 2, 3, 4]), 2, 2)));
    assert.equal(spearmanSigned.compute(f32([1, -1, 1, -1]), f32([1, -1, 1, -1]), 2, 2), 1);
  });
  test('invariant to strictly increasing transforms of either map', () => {
    const a = uniform(3, 100, -2, 2);
    const b = uniform(4, 100, -2, 2).map((v, i) => v + a[i]);
    const rho = spearmanCorrelation(a, b);
    close(spearmanCorrelation(a.map(Math.exp), b.map((v) => v ** 3)), rho, 1e-12);
    close(spearmanCorrelation(a.map((v) => Math.atan(5 * v)), b.map((v) => 10 * v + 3)), rho, 1e-12);
    // Pearson is not invariant to these.
    assert.ok(Math.abs(pearsonCorrelation(a.map(Math.exp), b) - pearsonCorrelation(a, b)) > 1e-3);
  });
  test('|map| vs signed: a sign flip keeps the absolute ranking and reverses the signed one', () => {
    const a = f32(uniform(5, 36, -1, 1));
    const neg = a.map((v) => -v);
    close(spearmanAbs.compute(a, neg, 6, 6), 1);
    close(spearmanSigned.compute(a, neg, 6, 6), -1);
  });
});
