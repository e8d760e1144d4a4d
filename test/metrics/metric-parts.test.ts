// The pure pieces of the metrics on hand-computed cases: AUC of known curves, map normalization and pixel order with
// ties, blackout counts, segmentation counts and average precision on tiny masks, the SIC/AIC interpolation (exact
// on affine images), WebP sizes, threshold counts against np.quantile, and curve normalization and reading.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { meanCurve, trapezoid } from '../../main/engine/metrics/auc';
import { normalizeMap, pixelOrder, ranksOf } from '../../main/engine/metrics/map-order';
import { removedCount } from '../../main/engine/metrics/blackout-curve';
import { averagePrecision } from '../../main/engine/metrics/average-precision';
import { segmentationCounts } from '../../main/engine/metrics/segmentation-counts';
import { pa } from '../../main/engine/metrics/pa';
import { miou } from '../../main/engine/metrics/miou';
import { meanAp } from '../../main/engine/metrics/mean-ap';
import { mf1 } from '../../main/engine/metrics/mf1';
import { interpolateFromKept, roundHalfEven } from '../../main/engine/metrics/info-interpolate';
import { webpSize } from '../../main/engine/metrics/webp-size';
import { infoCurve, infoGrid, keptCount, randomPixels, readCurve, type InfoCurveParams } from '../../main/engine/metrics/info-curve';
import { averageDropTerm, increaseTerm } from '../../main/engine/metrics/masked-confidence';
import { adp } from '../../main/engine/metrics/adp';
import { pic } from '../../main/engine/metrics/pic';
import { expandMetricIds, getMetric, METRIC_IDS } from '../../main/engine/metrics/registry';
import { mulberry32 } from '../../main/engine/data/rng';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('AUC', () => {
  test('trapezoid areas of known curves', () => {
    const x = Array.from({ length: 10 }, (_, i) => i / 10);
    close(trapezoid(x, x.map(() => 1)), 0.9, 1e-12, 'constant 1 on [0, 0.9]');
    close(trapezoid(x, x), 0.405, 1e-12, 'y = x: 0.9^2 / 2');
    close(trapezoid([0, 0.1, 0.2, 0.3], [1, 1, 0, 0]), 0.15, 1e-12, 'a drop at the third point');
    close(trapezoid([0, 0.5, 1], [0, 1, 0]), 0.5, 1e-12, 'a tent');
    assert.deepEqual(meanCurve([[1, 0], [0, 1]]), [0.5, 0.5]);
  });
});

describe('reading a map', () => {
  test('min-max to [0, 1]; constant maps become zeros; non-finite maps are refused', () => {
    assert.deepEqual(Array.from(normalizeMap([2, 4, 3])!), [0, 1, 0.5]);
    assert.deepEqual(Array.from(normalizeMap([7, 7])!), [0, 0]);
    assert.equal(normalizeMap([1, NaN]), null);
    assert.equal(normalizeMap([1, Infinity]), null);
  });

  test('pixels are ranked by value, ties by index in both directions', () => {
    const m = [0.5, 0.2, 0.5, 0.9, 0.2];
    assert.deepEqual(Array.from(pixelOrder(m, 'most-first')), [3, 0, 2, 1, 4]);
    assert.deepEqual(Array.from(pixelOrder(m, 'least-first')), [1, 4, 0, 2, 3]);
    assert.deepEqual(Array.from(ranksOf(Int32Array.from([3, 0, 2, 1, 4]))), [1, 3, 2, 0, 4]);
  });

  test('blacked-out pixels at fraction p are int(n p)', () => {
    assert.equal(removedCount(1024, 0.3), 307);
    assert.equal(removedCount(1000, 0.3), 300);
    assert.equal(removedCount(1000, 0.7), 700);
    assert.equal(removedCount(50176, 0.9), 45158);
  });
});

describe('segmentation on a 2 x 3 map, by hand', () => {
  // Map (already in [0, 1]) with mean 0.5, so foreground = [1, 0, 1, 0, 1, 0]; mask = [1, 1, 0, 0, 1, 0].
  // TP = 2 (pixels 0, 4), FP = 1 (2), FN = 1 (1), TN = 2 (3, 5).
  const map = Float32Array.from([1, 0.125, 0.75, 0.25, 0.875, 0]);
  const mask = Uint8Array.from([1, 1, 0, 0, 1, 0]);

  test('confusion counts and pooled two-class average precision', () => {
    const c = segmentationCounts(map, mask);
    assert.deepEqual({ tp: c.tp, fp: c.fp, fn: c.fn, tn: c.tn }, { tp: 2, fp: 1, fn: 1, tn: 2 });
    // Scores of the true class: 1, 1 | 0.875 | 0.75 | 0.25 | 0.125; of the other class: 0.875 | 0.75 | 0.25 | 0.125 | 0, 0.
    // AP = 2/6 * 1 + 1/6 * 3/4 + 1/6 * 4/6 + 1/6 * 5/8 + 1/6 * 6/10 = 557/720.
    close(c.ap, 557 / 720, 1e-7, 'AP');
  });

  test('average precision as sklearn on its documented example (0.8333)', () => {
    close(averagePrecision(Float32Array.from([0.35, 0.8]), Float32Array.from([0.1, 0.4])), 5 / 6, 1e-7, 'AP');
    close(averagePrecision(Float32Array.from([0.5, 0.5]), Float32Array.from([0.5, 0.5])), 0.5, 1e-12, 'all tied');
  });

  test('PA and mIoU sum counts over images; mAP and mF1 average per image', () => {
    const s1 = { value: 0, counts: { tp: 2, fp: 1, fn: 1, tn: 2, ap: 0.5 } };
    const s2 = { value: 0, counts: { tp: 8, fp: 0, fn: 0, tn: 0, ap: 1 } };
    const scores = [s1, s2].map((s) => ({ ...s, value: 1 }));
    // Totals: tp 10, fp 1, fn 1, tn 2 -> PA = 12/14, IoU_fg = 10/12, IoU_bg = 2/4.
    close(pa.aggregate(scores, pa.resolveParams({})).value, (100 * 12) / 14, 1e-12, 'PA');
    close(miou.aggregate(scores, miou.resolveParams({})).value, 100 * (10 / 12 + 2 / 4) / 2, 1e-12, 'mIoU');
    const perImage = [{ value: 50 }, { value: 100 }, { value: null, skipped: 'no ground-truth mask' }];
    const agg = meanAp.aggregate(perImage, meanAp.resolveParams({}));
    assert.equal(agg.value, 75);
    assert.deepEqual(agg.skipped, { 'no ground-truth mask': 1 });
    assert.equal(mf1.aggregate(perImage, mf1.resolveParams({})).value, 75);
  });
});

describe('ADP and PIC on chosen probabilities', () => {
  test('per-image terms', () => {
    close(averageDropTerm(0.8, 0.6), 25, 1e-12, 'ADP term');
    assert.equal(averageDropTerm(0.8, 0.9), 0);
    assert.equal(increaseTerm(0.8, 0.9), 100);
    assert.equal(increaseTerm(0.8, 0.8), 0);
    assert.equal(increaseTerm(0.8, 0.7), 0);
  });

  test('dataset values are the means', () => {
    const terms = [[0.8, 0.6], [0.5, 0.5], [0.4, 0.1], [0.9, 0.95]].map(([y, o]) => ({ adp: averageDropTerm(y, o), pic: increaseTerm(y, o) }));
    close(adp.aggregate(terms.map((t) => ({ value: t.adp })), adp.resolveParams({})).value, (25 + 0 + 75 + 0) / 4, 1e-12, 'ADP');
    assert.equal(pic.aggregate(terms.map((t) => ({ value: t.pic })), pic.resolveParams({})).value, 25);
  });
});

describe('SIC/AIC pieces', () => {
  test('interpolation from kept pixels reproduces an affine image exactly and keeps kept pixels', () => {
    const H = 9, W = 12, C = 3;
    const bytes = new Uint8Array(H * W * C);
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let k = 0; k < C; k++) bytes[(r * W + c) * C + k] = 10 + 3 * r + 5 * c + 20 * k;
    const rnd = mulberry32(2);
    const keep = Uint8Array.from({ length: H * W }, () => (rnd() < 0.15 ? 1 : 0));
    const out = interpolateFromKept(bytes, H, W, C, keep);
    assert.deepEqual(Array.from(out), Array.from(bytes));
    const noisy = Uint8Array.from(bytes, () => Math.floor(rnd() * 256));
    const out2 = interpolateFromKept(noisy, H, W, C, keep);
    for (let p = 0; p < H * W; p++) if (keep[p]) for (let k = 0; k < C; k++) assert.equal(out2[p * C + k], noisy[p * C + k]);
  });

  test('with only the corners kept, a pixel is the barycentric mix of the corners of its triangle', () => {
    // 3 x 3 grey image, corners 0, 40 (top right), 80 (bottom left), 120 (bottom right); the centre lies on the
    // diagonal either triangulation uses, where both give the mean of its two ends: 60.
    const bytes = Uint8Array.from([0, 99, 40, 99, 99, 99, 80, 99, 120]);
    const out = interpolateFromKept(bytes, 3, 3, 1, new Uint8Array(9));
    assert.equal(out[4], 60);
    assert.equal(out[1], 20); // top edge: halfway between 0 and 40
    assert.equal(out[7], 100); // bottom edge
  });

  test('np.round halves to even', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, 2, 3]);
  });

  test('lossless WebP sizes: offline, deterministic, smaller for flat images, grey and colour', async () => {
    const n = 32 * 32 * 3;
    const flat = new Uint8Array(n).fill(128);
    const rnd = mulberry32(4);
    const noise = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
    const a = await webpSize({ bytes: flat, height: 32, width: 32, channels: 3 });
    const b = await webpSize({ bytes: noise, height: 32, width: 32, channels: 3 });
    assert.ok(a < 100 && b > 2000, `${a} ${b}`);
    assert.equal(await webpSize({ bytes: noise, height: 32, width: 32, channels: 3 }), b);
    assert.ok((await webpSize({ bytes: noise.subarray(0, 1024), height: 32, width: 32, channels: 1 })) > 500);
  });

  test('kept pixel counts equal the pixels at or above np.quantile(map, 1 - t) for distinct values', () => {
    for (const n of [100, 1024, 1001, 50176]) {
      for (const t of [0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.13, 0.21, 0.34, 0.5, 0.75]) {
        // Values 0..n-1: the linear quantile at q is q (n - 1) itself.
        const q = (1 - t) * (n - 1);
        let count = 0;
        for (let v = 0; v < n; v++) if (v >= q) count++;
        assert.equal(keptCount(n, t), count, `n ${n} t ${t}`);
      }
    }
  });

  test('random start pixels: int(n * 1%) distinct pixels, fixed by the seed', () => {
    const a = randomPixels(1024, 0.01, 7);
    assert.equal(a.reduce((s, v) => s + v, 0), 10);
    assert.deepEqual(randomPixels(1024, 0.01, 7), a);
    assert.notDeepEqual(randomPixels(1024, 0.01, 8), a);
  });

  const params: InfoCurveParams = { thresholds: [0.1, 0.2, 0.3], randomFraction: 0.01, minProbability: 0.5, keepMonotone: true,
    gridPoints: 4, aggregation: 'median', webpQuality: 100 };
  const start = { bytes: new Uint8Array(), random: new Uint8Array(), entropyImage: 1000, entropyStart: 200, probImage: 0.9, probStart: 0.1, topImage: 1, topStart: 0 };

  test('normalization, clipping, the running maximum and the added end points, by hand', () => {
    const r = infoCurve(start, { entropy: [300, 600, 1200], prob: [0.5, 0.3, 0.9], top1: [0, 1, 1] }, 1, 'softmax', params);
    assert.ok('curve' in r);
    // x = (E - 200) / 800 -> 0.125, 0.5, 1 (clipped); y = (P - 0.1) / 0.8 -> 0.5, 0.25 -> 0.5 (monotone), 1.
    assert.deepEqual(r.curve.x, [0, 0.125, 0.5, 1, 1]);
    assert.deepEqual(r.curve.y, [0, 0.5, 0.5, 1, 1]);
    const a = infoCurve(start, { entropy: [300, 600, 1200], prob: [0.5, 0.3, 0.9], top1: [0, 1, 1] }, 1, 'accuracy', params);
    assert.ok('curve' in a);
    assert.deepEqual(a.curve.y, [0, 0, 1, 1, 1]);
  });

  test('skip rules: low clean probability, a start image not smaller, a start image scored as high', () => {
    const pts = { entropy: [300], prob: [0.5], top1: [1] };
    assert.match((infoCurve({ ...start, probImage: 0.4 }, pts, 1, 'softmax', params) as { skipped: string }).skipped, /below 0.5/);
    assert.match((infoCurve({ ...start, entropyStart: 1000 }, pts, 1, 'softmax', params) as { skipped: string }).skipped, /not smaller/);
    assert.match((infoCurve({ ...start, topStart: 1 }, pts, 1, 'accuracy', params) as { skipped: string }).skipped, /as high/);
    assert.ok('curve' in infoCurve({ ...start, topStart: 1 }, pts, 1, 'softmax', params));
  });

  test('curves are read at the grid as interp1d, starting at the added (0, 0), ending at 1', () => {
    const grid = infoGrid(4);
    assert.deepEqual(Array.from(grid), [0, 0.25, 0.5, 0.75, 1]);
    const y = readCurve({ x: [0, 0, 0.5, 1, 1], y: [0.2, 0, 1, 1, 1] }, grid);
    assert.deepEqual(Array.from(y), [0, 0.5, 1, 1, 1]);
    close(trapezoid(grid, y), 0.75, 1e-12, 'AUC');
  });
});

describe('the metric registry', () => {
  test('ids, groups, directions and protocol versions', () => {
    assert.deepEqual(METRIC_IDS, ['neg', 'pos', 'ins', 'del', 'adp', 'pic', 'sic', 'aic', 'pa', 'miou', 'map', 'mf1']);
    assert.deepEqual(expandMetricIds(['neg', 'seg', 'neg']), ['neg', 'pa', 'miou', 'map', 'mf1']);
    const lower = METRIC_IDS.filter((id) => getMetric(id).direction === 'lower');
    assert.deepEqual(lower, ['pos', 'del', 'adp']);
    for (const id of METRIC_IDS) assert.ok(Number.isInteger(getMetric(id).version));
    assert.throws(() => getMetric('nope'), /Unknown metric "nope"/);
  });
});
