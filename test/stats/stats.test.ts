// Statistics on cases with known answers: Wilcoxon signed-rank statistics and p-values (scipy's documented example,
// small exact cases countable by hand, the normal approximation with ties and zeros worked out by hand), Holm's
// correction, percentile bootstrap intervals, the normal distribution function and the median.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, exactSignedRankCdf, wilcoxon } from '../../main/engine/stats/wilcoxon';
import { holm } from '../../main/engine/stats/holm';
import { bootstrapIndices, bootstrapMean, mean, quantileSorted } from '../../main/engine/stats/bootstrap';
import { normalCdf } from '../../main/engine/stats/normal';
import { median } from '../../main/engine/stats/median';
import { selectKth } from '../../main/engine/stats/select-kth';
import { bestMethod, compareToBest } from '../../main/engine/stats/compare';
import { mulberry32 } from '../../main/engine/data/rng';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('Wilcoxon signed-rank test', () => {
  test("scipy's documented example (Darwin's maize height differences): T = 24, exact two-sided p = 0.041259765625", () => {
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
    const r = wilcoxon(d, d.map(() => 0));
    assert.equal(r.method, 'exact');
    assert.equal(r.statistic, 24);
    assert.equal(r.rankSumNegative, 24); // ranks of |-48| = 10 and |-67| = 14
    assert.equal(r.rankSumPositive, 120 - 24);
    close(r.pValue, 0.041259765625, 1e-12, 'p');
  });

  test('exact distribution by hand: n = 3 has subset sums 0,1,2,3,3,4,5,6, so P(W+ <= 1) = 2/8 and P(W+ <= 3) = 5/8', () => {
    assert.equal(exactSignedRankCdf(3, 1), 2 / 8);
    assert.equal(exactSignedRankCdf(3, 3), 5 / 8);
    assert.equal(exactSignedRankCdf(3, 6), 1);
  });

  test('all differences of one sign: p = 2 / 2^n (n = 6: 0.03125; n = 5: 0.0625, the smallest attainable)', () => {
    assert.equal(wilcoxon([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]).pValue, 2 / 64);
    const r = wilcoxon([0, 0, 0, 0, 0], [1.5, 2.5, 3.5, 4.5, 5.5]);
    assert.equal(r.statistic, 0);
    assert.equal(r.pValue, 2 / 32);
  });

  test('the test is symmetric in its arguments and takes x - y', () => {
    const x = [3.1, 2.2, 5.9, 4.4, 1.0, 7.7, 6.1];
    const y = [2.0, 2.9, 4.1, 4.0, 1.8, 5.0, 3.3];
    const a = wilcoxon(x, y);
    const b = wilcoxon(y, x);
    assert.equal(a.pValue, b.pValue);
    assert.equal(a.rankSumPositive, b.rankSumNegative);
  });

  test('normal approximation with ties and a zero, worked by hand (zero method wilcox: the zero is dropped)', () => {
    // d = [0, 1, -1, 2, 2, -3, 4, 5]: non-zero |d| = 1,1,2,2,3,4,5 with average ranks 1.5,1.5,3.5,3.5,5,6,7.
    // W+ = 1.5 + 3.5 + 3.5 + 6 + 7 = 21.5, W- = 1.5 + 5 = 6.5, T = 6.5, n = 7.
    // mean = 7*8/4 = 14; var = (7*8*15 - (2^3-2 + 2^3-2)/2) / 24 = (840 - 6) / 24 = 34.75.
    const d = [0, 1, -1, 2, 2, -3, 4, 5];
    const r = wilcoxon(d, d.map(() => 0));
    assert.equal(r.method, 'normal');
    assert.equal(r.zeros, 1);
    assert.equal(r.n, 7);
    assert.equal(r.statistic, 6.5);
    const z = (6.5 - 14) / Math.sqrt(34.75);
    close(r.z!, z, 1e-12, 'z');
    close(r.pValue, 2 * normalCdf(z), 1e-15, 'p');
    close(r.pValue, 0.20331, 1e-4, 'p (table value of 2 Phi(-1.2723))');
  });

  test('zero method pratt: the zero is ranked, then left out of both sums and the variance', () => {
    // |d| with the zero: 0,1,1,2,2,3,4,5 -> ranks 1, 2.5, 2.5, 4.5, 4.5, 6, 7, 8; the zero's rank 1 counts nowhere.
    // W+ = 2.5 + 4.5 + 4.5 + 7 + 8 = 26.5, W- = 2.5 + 6 = 8.5; n = 8 ranked, 1 zero.
    // mean = 8*9/4 - 1*2/4 = 17.5; var = (8*9*17 - 1*2*3 - (6 + 6)/2) / 24 = (1224 - 6 - 6) / 24 = 50.5.
    const d = [0, 1, -1, 2, 2, -3, 4, 5];
    const r = wilcoxon(d, d.map(() => 0), 'pratt');
    assert.equal(r.statistic, 8.5);
    close(r.z!, (8.5 - 17.5) / Math.sqrt(50.5), 1e-12, 'z');
  });

  test('no non-zero difference: p = 1', () => {
    assert.equal(wilcoxon([1, 2, 3], [1, 2, 3]).pValue, 1);
  });

  test('average ranks share tied positions', () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 10, 30, 20, 20]).ranks), [1.5, 4, 1.5, 6, 4, 4]);
    assert.deepEqual(averageRanks([10, 20, 10, 30, 20, 20]).ties, [2, 3]);
  });
});

describe('Holm correction', () => {
  test('hand example: p = [0.01, 0.04, 0.03, 0.005] -> [0.03, 0.06, 0.06, 0.02]', () => {
    const adj = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => close(adj[i], v, 1e-15, `p${i}`));
  });

  test('keeps the order of the raw p-values, is never below them, and caps at 1', () => {
    const p = [0.2, 0.001, 0.6, 0.04, 0.03];
    const adj = holm(p);
    for (let i = 0; i < p.length; i++) {
      assert.ok(adj[i] >= p[i] && adj[i] <= 1);
      for (let j = 0; j < p.length; j++) if (p[i] < p[j]) assert.ok(adj[i] <= adj[j]);
    }
    assert.equal(holm([0.9, 0.8])[0], 1);
  });
});

describe('bootstrap confidence intervals', () => {
  const r = mulberry32(5);
  const values = Array.from({ length: 60 }, () => 10 + 4 * (r() - 0.5));

  test('a 95% percentile interval of the mean contains the sample mean and is reproducible from its seed', () => {
    const a = bootstrapMean(values, { seed: 3, resamples: 1000 });
    const b = bootstrapMean(values, { seed: 3, resamples: 1000 });
    const m = mean(values);
    assert.ok(a.low < m && m < a.high, `${a.low} < ${m} < ${a.high}`);
    assert.deepEqual(a, b);
    assert.notDeepEqual(bootstrapMean(values, { seed: 4, resamples: 1000 }), a);
  });

  test('its width is about 2 x 1.96 standard errors and shrinks with n', () => {
    const m = mean(values);
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
    const a = bootstrapMean(values, { seed: 1, resamples: 4000 });
    const width = a.high - a.low;
    const expected = (2 * 1.96 * sd) / Math.sqrt(values.length);
    assert.ok(Math.abs(width - expected) < 0.15 * expected, `width ${width} vs ${expected}`);
    const more = [...values, ...values, ...values, ...values];
    const b = bootstrapMean(more, { seed: 1, resamples: 4000 });
    assert.ok(b.high - b.low < 0.7 * width);
  });

  test('a constant sample has a zero-width interval at its value; any statistic can be bootstrapped', () => {
    const c = bootstrapMean([2, 2, 2, 2], { seed: 0, resamples: 200 });
    assert.equal(c.low, 2);
    assert.equal(c.high, 2);
    const maxIv = bootstrapIndices(values.length, (idx) => Math.max(...Array.from(idx, (i) => values[i])), { seed: 2, resamples: 300 });
    assert.ok(maxIv.high <= Math.max(...values) && maxIv.low >= Math.min(...values));
  });

  test('quantiles interpolate between order statistics (np.percentile)', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 0.025), 1.075);
  });
});

describe('normal distribution, median, selection', () => {
  test('normalCdf matches tables', () => {
    close(normalCdf(0), 0.5, 1e-15, 'Phi(0)');
    close(normalCdf(-1.959963984540054), 0.025, 1e-12, 'Phi(-1.96)');
    close(normalCdf(1), 0.8413447460685429, 1e-13, 'Phi(1)');
    close(normalCdf(-5), 2.866515718791939e-7, 1e-18, 'Phi(-5)');
    close(normalCdf(-8) / 6.220960574271785e-16, 1, 1e-10, 'Phi(-8)');
  });

  test('median and k-th selection agree with sorting', () => {
    const r = mulberry32(11);
    for (let n = 1; n < 40; n++) {
      const v = Array.from({ length: n }, () => Math.floor(r() * 7));
      const s = [...v].sort((a, b) => a - b);
      assert.equal(median(v), n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2);
      const k = Math.floor(r() * n);
      assert.equal(selectKth(Float64Array.from(v), k), s[k]);
    }
  });
});

describe('comparing the best method with the others', () => {
  test('the best respects the direction; Holm adjusts over the comparisons', () => {
    const a = Array.from({ length: 12 }, (_, i) => 50 + i);
    const b = a.map((v, i) => v - 1 - i / 10); // distinct differences: the exact test applies
    const c = a.map((v, i) => v + (i % 2 ? 0.5 : -0.5));
    const cols = [{ method: 'a', value: 55.5, perImage: a }, { method: 'b', value: 49.9, perImage: b }, { method: 'c', value: 55.5, perImage: c }];
    assert.equal(bestMethod(cols, 'higher'), 'a');
    assert.equal(bestMethod(cols, 'lower'), 'b');
    const r = compareToBest(cols, 'higher');
    const tb = r.tests.find((t) => t.method === 'b')!;
    const tc = r.tests.find((t) => t.method === 'c')!;
    assert.equal(tb.pValue, 2 / 2 ** 12);
    assert.ok(tc.pValue > 0.5);
    assert.equal(tb.pHolm, Math.min(1, 2 * tb.pValue));
    assert.equal(tc.pHolm, Math.max(tc.pValue, tb.pHolm));
  });

  test('only images both methods scored are paired', () => {
    const r = compareToBest([{ method: 'a', value: 2, perImage: [3, null, 5, 6] }, { method: 'b', value: 1, perImage: [1, 2, null, 2] }], 'higher');
    assert.equal(r.tests[0].pairs, 2);
  });
});
