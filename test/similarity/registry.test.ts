// The registry of similarity measures: the suite of docs/methods.md §5.7, by id, each equal to 1 for a map against itself,
// and each defined or NaN as documented on the small map sizes the sanity tests use.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getMeasure, listMeasures, MEASURE_IDS } from '../../main/engine/similarity/registry';
import { assertUserError, uniform } from '../engine/helpers';

describe('similarity registry', () => {
  test('the suite of docs/methods.md §5.7, in order, with versions', () => {
    assert.deepEqual(MEASURE_IDS, ['spearman-abs', 'spearman-signed', 'pearson', 'ssim', 'hog-pearson']);
    for (const m of listMeasures()) {
      assert.equal(m.version, 1);
      assert.ok(m.title && m.summary);
    }
  });
  test('unknown ids are a UserError listing the valid ones', async () => {
    await assertUserError(() => getMeasure('kendall'), /Unknown similarity measure "kendall"/, /spearman-abs, spearman-signed/);
  });
  for (const size of [28, 32]) {
    test(`every measure of a ${size}x${size} map with itself is 1 (to rounding)`, () => {
      const a = Float32Array.from(uniform(size, size * size, -1, 1));
      for (const m of listMeasures()) {
        const v = m.compute(a, a, size, size);
        assert.ok(Math.abs(v - 1) < 1e-12, `${m.id}: ${v}`);
        assert.equal(m.notApplicable?.(size, size) ?? null, null);
      }
    });
  }
  test('16x16: all but HOG are defined', () => {
    const a = Float32Array.from(uniform(1, 256, -1, 1));
    const b = Float32Array.from(uniform(2, 256, -1, 1));
    for (const m of listMeasures()) assert.equal(Number.isNaN(m.compute(a, b, 16, 16)), m.id === 'hog-pearson', m.id);
  });
});
