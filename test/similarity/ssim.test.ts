// SSIM against hand computation (the per-window formula written out in the test, independently of the summed-area
// tables of ssim.ts), its identities, and one value from skimage 0.19.3 as a regression anchor.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ssim, ssimMeasure } from '../../main/engine/similarity/ssim';
import { uniform } from '../engine/helpers';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

/** SSIM of one 7x7 window by the textbook formula with sample (co)variances. */
function windowSsim(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let vx = 0;
  let vy = 0;
  let cxy = 0;
  for (let i = 0; i < n; i++) {
    vx += (x[i] - mx) ** 2;
    vy += (y[i] - my) ** 2;
    cxy += (x[i] - mx) * (y[i] - my);
  }
  [vx, vy, cxy] = [vx / (n - 1), vy / (n - 1), cxy / (n - 1)];
  return ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
}

function crop(img: number[], w: number, r: number, c: number, size = 7): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out.push(img[(r + i) * w + c + j]);
  return out;
}

describe('SSIM', () => {
  test('a hand-computed pair on one 7x7 window', () => {
    // x: one bright pixel; y: two. Means 1/49 and 2/49; sample variances (1 - 1/49)/48 and (2 - 4/49)/48;
    // covariance (1 - 2/49)/48 (the shared pixel).
    const x = new Array(49).fill(0);
    const y = new Array(49).fill(0);
    x[24] = 1;
    y[24] = 1;
    y[25] = 1;
    const mx = 1 / 49;
    const my = 2 / 49;
    const vx = (1 - 1 / 49) / 48;
    const vy = (2 - 4 / 49) / 48;
    const cxy = (1 - 2 / 49) / 48;
    const expected = ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
    close(ssim(x, y, 7, 7), expected, 1e-12);
    close(windowSsim(x, y), expected, 1e-12);
  });
  test('the mean over the windows that lie wholly inside the image (9x10: 3x4 windows)', () => {
    const x = uniform(1, 90, 0, 1);
    const y = uniform(2, 90, 0, 1).map((v, i) => 0.5 * v + 0.5 * x[i]);
    let total = 0;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) total += windowSsim(crop(x, 10, r, c), crop(y, 10, r, c));
    close(ssim(x, y, 9, 10), total / 12, 1e-12);
  });
  test('SSIM(x, x) = 1, also for constant images; symmetric; below 1 for a different image', () => {
    const x = uniform(3, 28 * 28, 0, 1);
    const y = uniform(4, 28 * 28, 0, 1);
    assert.equal(ssim(x, x, 28, 28), 1);
    assert.equal(ssim(new Array(64).fill(0.3), new Array(64).fill(0.3), 8, 8), 1);
    close(ssim(x, y, 28, 28), ssim(y, x, 28, 28), 1e-15);
    assert.ok(ssim(x, y, 28, 28) < 0.2);
  });
  test('two constants: luminance term only, (2ab + C1) / (a^2 + b^2 + C1)', () => {
    close(ssim(new Array(49).fill(0.2), new Array(49).fill(0.6), 7, 7), (2 * 0.12 + C1) / (0.04 + 0.36 + C1), 1e-12);
  });
  test('the measure min-max normalizes first: invariant to positive affine maps of either input', () => {
    const a = Float32Array.from(uniform(5, 32 * 32, -3, 3));
    const b = Float32Array.from(uniform(6, 32 * 32, -3, 3), (v, i) => v + a[i]);
    const s = ssimMeasure.compute(a, b, 32, 32);
    close(ssimMeasure.compute(a.map((v) => 4 * v + 9), b.map((v) => 0.5 * v - 1), 32, 32), s, 1e-6);
    // A constant map becomes all zeros: SSIM with another constant map is 1.
    assert.equal(ssimMeasure.compute(new Float32Array(49).fill(2), new Float32Array(49).fill(-5), 7, 7), 1);
  });
  test('maps smaller than the window: NaN, and the measure says why', () => {
    assert.ok(Number.isNaN(ssimMeasure.compute(new Float32Array(36), new Float32Array(36), 6, 6)));
    assert.match(ssimMeasure.notApplicable!(6, 6)!, /smaller than the 7x7 SSIM window/);
    assert.equal(ssimMeasure.notApplicable!(7, 7), null);
  });
  test('matches skimage.metrics.structural_similarity(x, y, data_range=1) (0.19.3)', () => {
    // x[i, j] = ((i * 7 + j * 3) % 11) / 10, y[i, j] = ((i * 5 + j * j) % 13) / 12 on 12 x 9.
    const h = 12;
    const w = 9;
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      x.push(((i * 7 + j * 3) % 11) / 10);
      y.push(((i * 5 + j * j) % 13) / 12);
    }
    close(ssim(x, y, h, w), SKIMAGE_SSIM_12x9, 1e-12);
  });
});

/** skimage 0.19.3: structural_similarity(x, y, data_range=1.0) for the 12 x 9 pair of the last test. */
const SKIMAGE_SSIM_12x9 = 0.17632012873133604;
