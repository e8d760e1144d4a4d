// runMetrics end to end on a synthetic dataset folder with masks: per-image values and curves for every method and
// metric, the table (dataset value, bootstrap interval, best method, Holm-corrected paired tests), reuse of a stored
// map, determinism from the seed, and no tensor leaks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { indexDatasetFolder } from '../../main/engine/data/dataset-folder';
import { loadMask } from '../../main/engine/data/dataset-load';
import { runMetrics, type MetricsRunImage } from '../../main/engine/runs/metrics-run';
import type { BackendInfo } from '../../shared/provenance';
import { brightObjectModel, brightSamples, writeSamples } from './helpers';

const S = 24;
let dir: string;
let backend: BackendInfo;

before(async () => {
  backend = await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'dixw-metrics-run-'));
  writeSamples(dir, brightSamples(8, S, 5), S);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('runMetrics', () => {
  test('scores every method on every metric and builds the table', async () => {
    const vm = brightObjectModel(S);
    const index = indexDatasetFolder(dir);
    const seen: Array<[MetricsRunImage, Record<string, Float32Array>]> = [];
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const run = () => runMetrics({ model: vm, data: index, methods: ['gradcam', 'ig', 'smoothgrad'], metrics: ['all'], limit: 6, seed: 4,
      backend, resamples: 200, methodOptions: { steps: 4 }, batchSize: 8,
      // The oracle: the image's own mask stands in for Grad-CAM's stored map.
      reuseMap: (entry, p) => (p.method.id === 'gradcam' ? Float32Array.from(loadMask(entry, S, S)!) : null),
      onImage: (r, maps) => seen.push([r, maps]) }, (p) => progress.push(p.done));
    const r = await run();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.equal(r.images.length, 6);
    assert.equal(seen.length, 6);
    for (const [, maps] of seen) assert.deepEqual(Object.keys(maps), ['gradcam', 'ig', 'smoothgrad']);
    assert.equal(seen[0][1].ig.length, S * S);
    assert.deepEqual(progress, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(r.metrics.map((m) => m.id), ['neg', 'pos', 'ins', 'del', 'adp', 'pic', 'sic', 'aic', 'pa', 'miou', 'map', 'mf1']);
    assert.deepEqual(r.methods.map((m) => m.id), ['gradcam', 'ig', 'smoothgrad']);
    assert.equal(r.methods[2].params.seed, 4, 'the run seed reaches SmoothGrad');
    for (const im of r.images) {
      assert.equal(im.maps.gradcam.reused, true);
      assert.equal(im.maps.ig.reused, false);
      assert.ok(im.maps.ig.millis > 0);
      assert.equal(im.scores.gradcam.pa.value, 100, 'the mask as a map segments perfectly');
      for (const m of ['ig', 'smoothgrad']) for (const id of ['neg', 'pos', 'ins', 'del']) assert.equal(im.scores[m][id].curve!.y.length, 10);
    }
    assert.equal(r.table.length, 12);
    for (const row of r.table) {
      assert.equal(row.cells.length, 3);
      assert.ok(row.best !== null && ['gradcam', 'ig', 'smoothgrad'].includes(row.best));
      const best = row.cells.find((c) => c.method === row.best)!;
      for (const c of row.cells) {
        if (Number.isFinite(c.value) && row.direction === 'higher') assert.ok(best.value >= c.value);
        if (Number.isFinite(c.value) && row.direction === 'lower') assert.ok(best.value <= c.value);
        if (!['sic', 'aic', 'pa', 'miou'].includes(row.metric.id) && c.images > 1) {
          assert.ok(c.interval.low <= c.value + 1e-9 && c.value <= c.interval.high + 1e-9, `${row.metric.id}/${c.method}: ${c.value} not in [${c.interval.low}, ${c.interval.high}]`);
        }
      }
      assert.equal(row.tests.length, 2);
      for (const t of row.tests) assert.ok(Number.isNaN(t.pHolm) || (t.pHolm >= t.pValue && t.pHolm <= 1));
    }
    const seg = r.table.find((row) => row.metric.id === 'miou')!;
    assert.equal(seg.best, 'gradcam');
    assert.equal(seg.cells[0].value, 100);
    const again = await run();
    assert.deepEqual(again.table, r.table, 'the same seed gives the same table');
    vm.dispose();
  });

  test('refuses segmentation metrics on a dataset without masks, and unknown metric ids', async () => {
    const vm = brightObjectModel(S);
    const index = indexDatasetFolder(dir);
    const noMasks = { ...index, entries: index.entries.map((e) => ({ ...e, maskPath: null })) };
    await assert.rejects(runMetrics({ model: vm, data: noMasks, methods: ['gradcam'], metrics: ['seg'], seed: 0, backend }), /need ground-truth masks/);
    await assert.rejects(runMetrics({ model: vm, data: index, methods: ['gradcam'], metrics: ['nope'], seed: 0, backend }), /Unknown metric "nope"/);
    vm.dispose();
  });
});
