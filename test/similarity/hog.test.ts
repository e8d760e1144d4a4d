// HOG (hog.ts, a port of skimage.feature.hog) on ramps computed by hand, against a tiny reference written
// independently here (per cell, per pixel, no shared helpers), on the sizes the sanity tests meet (28, 32: 1 and
// 2x2 blocks; 16: none), and against values from skimage 0.19.3. Then the HOG similarity measure built on it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hogBlockGrid, hogCellHistograms, hogFeatures } from '../../main/engine/similarity/hog';
import { hogPearson } from '../../main/engine/similarity/hog-similarity';
import { assertClose, uniform } from '../engine/helpers';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function image(h: number, w: number, f: (r: number, c: number) => number): number[] {
  const out: number[] = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out.push(f(r, c));
  return out;
}

/** Independent reference: skimage's definition read off its documentation and code, written as plainly as possible. */
function referenceHog(img: number[], h: number, w: number): number[] {
  const px = (r: number, c: number) => img[r * w + c];
  const cellsR = Math.floor(h / 8);
  const cellsC = Math.floor(w / 8);
  const cells: number[][][] = [];
  for (let cr = 0; cr < cellsR; cr++) {
    cells.push([]);
    for (let cc = 0; cc < cellsC; cc++) {
      const hist = new Array(9).fill(0);
      for (let r = cr * 8; r < cr * 8 + 8; r++) for (let c = cc * 8; c < cc * 8 + 8; c++) {
        const dy = r === 0 || r === h - 1 ? 0 : px(r + 1, c) - px(r - 1, c);
        const dx = c === 0 || c === w - 1 ? 0 : px(r, c + 1) - px(r, c - 1);
        // Unsigned orientation in [0, 180): atan2 gives (-180, 180]; 180 itself is 0.
        let angle = (Math.atan2(dy, dx) / Math.PI) * 180;
        if (angle < 0) angle += 180;
        if (angle >= 180) angle -= 180;
        hist[Math.floor(angle / 20)] += Math.sqrt(dx * dx + dy * dy) / 64;
      }
      cells[cr].push(hist);
    }
  }
  const out: number[] = [];
  for (let br = 0; br + 3 <= cellsR; br++) for (let bc = 0; bc + 3 <= cellsC; bc++) {
    const v: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v.push(...cells[br + i][bc + j]);
    const n1 = Math.sqrt(v.reduce((s, x) => s + x * x, 0) + 1e-10);
    const clipped = v.map((x) => Math.min(x / n1, 0.2));
    const n2 = Math.sqrt(clipped.reduce((s, x) => s + x * x, 0) + 1e-10);
    out.push(...clipped.map((x) => x / n2));
  }
  return out;
}

describe('HOG', () => {
  test('horizontal ramp I = c on 24x24: all votes in bin 0; the border columns have no gradient', () => {
    const img = image(24, 24, (_, c) => c);
    const hist = hogCellHistograms(img, 24, 24);
    // Central difference without 1/2: 2 on columns 1..22. Cell columns 0 and 2 lose one column each: 7 x 8 x 2 / 64.
    const expectedBin0 = [1.75, 2, 1.75];
    for (let cr = 0; cr < 3; cr++) for (let cc = 0; cc < 3; cc++) {
      const bins = Array.from(hist.subarray((cr * 3 + cc) * 9, (cr * 3 + cc + 1) * 9));
      assert.deepEqual(bins, [expectedBin0[cc], 0, 0, 0, 0, 0, 0, 0, 0], `cell ${cr},${cc}`);
    }
    // One block of 81 values; every nonzero entry exceeds 0.2 after the first L2 step, so all are clipped to 0.2
    // and renormalized: 0.2 / sqrt(9 * 0.04 + eps^2).
    const f = hogFeatures(img, 24, 24);
    assert.equal(f.length, 81);
    const v = 0.2 / Math.sqrt(9 * 0.04 + 1e-10);
    f.forEach((x, i) => close(x, i % 9 === 0 ? v : 0, 1e-12));
  });
  test('ramp I = c + 2r: interior at atan(4/2) = 63.4 deg (bin 3), top row at 0 deg (bin 0), left column at 90 deg (bin 4)', () => {
    const img = image(24, 24, (r, c) => c + 2 * r);
    const hist = hogCellHistograms(img, 24, 24);
    const cell = (cr: number, cc: number) => Array.from(hist.subarray((cr * 3 + cc) * 9, (cr * 3 + cc + 1) * 9));
    const m = Math.sqrt(2 * 2 + 4 * 4);
    // Cell (0, 0): pixel (0, 0) has no gradient; row 0 (7 px) |g| = 2 at 0 deg; column 0 (7 px) |g| = 4 at 90 deg;
    // the other 49 px |g| = sqrt(20) in bin 3.
    assertClose(cell(0, 0), [14 / 64, 0, 0, (49 * m) / 64, 28 / 64, 0, 0, 0, 0], 1e-12, 'cell 0,0');
    // Cell (1, 1): all 64 interior.
    assertClose(cell(1, 1), [0, 0, 0, m, 0, 0, 0, 0, 0], 1e-12, 'cell 1,1');
    // Cell (2, 2): the last row (8 px, incl. the corner's row) has g_row = 0: |g| = 2 at 0 deg, except the corner
    // (23, 23) where both are 0; the last column likewise |g| = 4 at 90 deg; 49 interior.
    assertClose(cell(2, 2), [14 / 64, 0, 0, (49 * m) / 64, 28 / 64, 0, 0, 0, 0], 1e-12, 'cell 2,2');
  });
  test('orientations are unsigned: -90 deg counts as 90, and 180 deg (a negative column step) as 0', () => {
    // I = -r: g_row = -2, g_col = 0 -> atan2(-2, 0) = -90 deg -> 90 deg (bin 4). I = -c: atan2(0, -2) = 180 -> 0 (bin 0).
    const down = hogCellHistograms(image(24, 24, (r) => -r), 24, 24);
    assert.equal(down[4 * 9 + 4], 2);
    const left = hogCellHistograms(image(24, 24, (_, c) => -c), 24, 24);
    assert.equal(left[4 * 9 + 0], 2);
  });
  test('equals the independent reference on random images of the sanity-test sizes', () => {
    for (const [h, w, seed] of [[28, 28, 1], [32, 32, 2], [40, 33, 3]]) {
      const img = uniform(seed, h * w, 0, 1);
      const f = hogFeatures(img, h, w);
      assertClose(f, referenceHog(img, h, w), 1e-12, `${h}x${w}`);
    }
  });
  test('block grids: 28x28 -> 1 block, 32x32 -> 2x2 blocks (4x4 cells), 16x16 -> none', () => {
    assert.deepEqual(hogBlockGrid(28, 28), [1, 1]);
    assert.deepEqual(hogBlockGrid(32, 32), [2, 2]);
    assert.deepEqual(hogBlockGrid(16, 16), [0, 0]);
    assert.equal(hogFeatures(new Array(32 * 32).fill(0), 32, 32).length, 4 * 81);
    assert.equal(hogFeatures(new Array(16 * 16).fill(0), 16, 16).length, 0);
  });
  test('matches skimage.feature.hog (0.19.3, defaults) on a 24x32 image', () => {
    const img = image(24, 32, (i, j) => ((i * 7 + j * 3) % 11) / 10 + Math.sin(i / 3) * Math.cos(j / 4));
    const f = hogFeatures(img, 24, 32);
    assert.equal(f.length, 162);
    // skimage accumulates each cell in float32, hence the tolerance.
    close(f.reduce((s, v) => s + v, 0), 14.178744118638209, 1e-6);
    close(f.reduce((s, v, i) => s + v * i, 0), 1151.2446720603755, 1e-4);
    assertClose([0, 5, 40, 100, 161].map((i) => f[i]), [0.09217145605848172, 0.12282458200914949, 0.005310886934120089,
      0.014200318206063631, 0.02161468570066299], 1e-6, 'entries');
  });
});

describe('HOG similarity', () => {
  test('1 for the same map, invariant to positive affine maps (min-max first)', () => {
    const a = Float32Array.from(uniform(7, 32 * 32, -1, 1));
    const b = Float32Array.from(uniform(8, 32 * 32, -1, 1), (v, i) => v + a[i]);
    close(hogPearson.compute(a, a, 32, 32), 1, 1e-12);
    const s = hogPearson.compute(a, b, 32, 32);
    assert.ok(s > -1 && s < 1);
    close(hogPearson.compute(a.map((v) => 3 * v + 1), b.map((v) => 0.5 * v), 32, 32), s, 1e-6);
  });
  test('NaN for a flat map (constant HOG vector) and for maps under one block, with the reason', () => {
    assert.ok(Number.isNaN(hogPearson.compute(new Float32Array(28 * 28), Float32Array.from(uniform(9, 28 * 28)), 28, 28)));
    assert.ok(Number.isNaN(hogPearson.compute(Float32Array.from(uniform(9, 256)), Float32Array.from(uniform(10, 256)), 16, 16)));
    assert.match(hogPearson.notApplicable!(16, 16)!, /no whole HOG block of 3x3 cells of 8x8 pixels \(needs 24x24\)/);
    assert.equal(hogPearson.notApplicable!(28, 28), null);
  });
});
