// The repositories on a real database file: datasets, models, maps, results, and the one-transaction item commit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemResult } from '../../shared/item-result';
import { parseJobSpec } from '../../shared/job-spec';
import {
  addDataset,
  addExport,
  addJobEvent,
  addModel,
  commitItem,
  decodeMap,
  encodeMap,
  findDatasetByRoot,
  findMap,
  findMapBlobs,
  getItem,
  getJob,
  insertItems,
  insertJob,
  listExports,
  listImages,
  listJobEvents,
  listJobMaps,
  listScores,
  listSimilarities,
  mapKeyFromProvenance,
  markItemRunning,
  readMap,
  reindexDataset,
  removeDataset,
  removeModel,
  StoreError,
  transitionJob,
  updateModel,
  type Store,
} from '../../main/store/index';
import { smoothMap } from './map-fields';
import { tempStore, testProvenance, TEST_SPEC } from './helpers';

function newJob(store: Store, items: number, ids: { modelId?: number; datasetId?: number } = {}): number {
  return store.transaction(() => {
    const id = insertJob(store, {
      spec: parseJobSpec(TEST_SPEC),
      inputs: {},
      priority: 0,
      state: 'queued',
      itemsTotal: items,
      modelId: ids.modelId ?? null,
      datasetId: ids.datasetId ?? null,
    });
    insertItems(store, id, Array.from({ length: items }, (_, i) => ({ key: `k${i}`, payload: { i } })));
    return id;
  });
}

function itemId(store: Store, jobId: number, key: string): number {
  return (store.db.prepare('SELECT id FROM items WHERE job_id = ? AND key = ?').get(jobId, key) as { id: number }).id;
}

function mapResult(imageHash: string, seed: number, methodId = 'dix3') {
  const provenance = testProvenance({ id: methodId, params: { steps: 10 }, cutPoints: ['stage4'], targetClass: 1 });
  return { key: mapKeyFromProvenance(provenance, imageHash), imageId: null, imageHash, blob: encodeMap(smoothMap(7, seed), 224, 224), provenance };
}

function result(partial: Partial<ItemResult> = {}): ItemResult {
  return { maps: [], reusedMapKeys: [], scores: [], similarities: [], ...partial };
}

test('datasets: add, find, re-index a changed folder keeping image ids, and refuse removal while a job uses it', () => {
  const { store, close } = tempStore();
  try {
    const d = addDataset(store, {
      name: 'fmnist',
      root: '/data/fmnist',
      contentHash: 'h1',
      classes: ['shirt', 'shoe'],
      images: [
        { relPath: 'shirt/a.png', contentHash: 'a', label: 0, className: 'shirt' },
        { relPath: 'shoe/b.png', contentHash: 'b', label: 1, className: 'shoe', maskPath: 'masks/b.png' },
      ],
    });
    assert.equal(d.imageCount, 2);
    assert.deepEqual(d.classes, ['shirt', 'shoe']);
    assert.equal(findDatasetByRoot(store, '/data/fmnist')?.id, d.id);
    assert.throws(() => addDataset(store, { name: 'again', root: '/data/fmnist', contentHash: 'x', classes: [], images: [] }), /already registered/);
    const before = listImages(store, d.id);

    const r = reindexDataset(store, d.id, {
      contentHash: 'h2',
      classes: ['shirt', 'shoe'],
      images: [
        { relPath: 'shoe/b.png', contentHash: 'b2', label: 1 },
        { relPath: 'shoe/c.png', contentHash: 'c', label: 1 },
      ],
    });
    assert.deepEqual({ added: r.added, removed: r.removed, changed: r.changed }, { added: 1, removed: 1, changed: 1 });
    const after = listImages(store, d.id);
    assert.deepEqual(after.map((i) => [i.relPath, i.ordinal]), [['shoe/b.png', 0], ['shoe/c.png', 1]]);
    assert.equal(after[0].id, before[1].id);
    assert.equal(r.dataset.contentHash, 'h2');

    const job = newJob(store, 1, { datasetId: d.id });
    assert.throws(() => removeDataset(store, d.id), (e: unknown) => e instanceof StoreError && e.code === 'in-use' && /job 1; cancel or remove it first/.test(e.message));
    transitionJob(store, job, 'cancelled');
    removeDataset(store, d.id);
    assert.equal(getJob(store, job)?.datasetId, null);
  } finally {
    close();
  }
});

test('models: register with a content hash, update it, refuse removal while a job uses it', () => {
  const { store, close } = tempStore();
  try {
    const m = addModel(store, { name: 'cnn', path: '/models/cnn', contentHash: 'c1', arch: 'small-cnn', info: { classes: 10 } });
    assert.deepEqual(m.info, { classes: 10 });
    assert.equal(updateModel(store, m.id, { contentHash: 'c2' }).contentHash, 'c2');
    newJob(store, 1, { modelId: m.id });
    assert.throws(() => removeModel(store, m.id), /unfinished job 1/);
  } finally {
    close();
  }
});

test('an item commit stores maps, scores, similarities, its state and the progress together, once', () => {
  const { store, close } = tempStore();
  try {
    const job = newJob(store, 2);
    const id0 = itemId(store, job, 'k0');
    markItemRunning(store, id0);
    const map = mapResult('img-a', 1);
    const provenance = testProvenance();
    const r = result({
      maps: [map],
      scores: [
        { metric: 'ins', method: 'dix3', imageId: null, value: 61.5, detail: { curve: [1, 0.5] }, provenance },
        { metric: 'del', method: 'dix3', imageId: null, value: null, provenance },
      ],
      similarities: [{ test: 'cascading', method: 'dix3', imageId: null, step: 1, layer: 'dense', measure: 'ssim', value: 0.4, provenance }],
      output: { note: 'ok' },
      backend: provenance.backend,
    });
    const start = new Date(Date.now() - 25).toISOString();
    const first = commitItem(store, { jobId: job, itemId: id0, result: r, startedAt: start, finishedAt: new Date().toISOString() });
    assert.deepEqual(first, { committed: true, itemsDone: 1, mapsStored: 1, mapsReused: 0 });
    const again = commitItem(store, { jobId: job, itemId: id0, result: r, startedAt: start, finishedAt: new Date().toISOString() });
    assert.deepEqual(again, { committed: false, itemsDone: 1, mapsStored: 0, mapsReused: 0 });

    assert.equal(listScores(store, { jobId: job }).length, 2);
    assert.deepEqual(listScores(store, { jobId: job, metric: 'ins' })[0].detail, { curve: [1, 0.5] });
    assert.equal(listSimilarities(store, { jobId: job })[0].measure, 'ssim');
    const item = getItem(store, id0)!;
    assert.equal(item.state, 'done');
    assert.deepEqual(item.output, { note: 'ok' });
    assert.ok(item.durationMs !== null && item.durationMs >= 20);
    const jobRow = getJob(store, job)!;
    assert.equal(jobRow.itemsDone, 1);
    assert.equal(jobRow.progress, 0.5);

    const stored = findMap(store, map.key)!;
    assert.equal(stored.method, 'dix3');
    assert.equal(stored.height, 224);
    assert.equal(stored.byteLength, map.blob.length);
    assert.deepEqual(stored.provenance, map.provenance);
    const read = readMap(store, map.key)!;
    assert.equal(read.map.values.length, 224 * 224);
    assert.deepEqual(findMapBlobs(store, [map.key, 'f'.repeat(64)]).map((b) => b.key), [map.key]);
    assert.deepEqual(decodeMap(findMapBlobs(store, [map.key])[0].blob).values, read.map.values);
  } finally {
    close();
  }
});

test('a commit that fails half-way leaves nothing behind', () => {
  const { store, close } = tempStore();
  try {
    const job = newJob(store, 1);
    const id0 = itemId(store, job, 'k0');
    markItemRunning(store, id0);
    const good = testProvenance();
    const bad = { ...good, modelHash: undefined } as unknown as typeof good;
    const r = result({
      maps: [mapResult('img-a', 1)],
      scores: [
        { metric: 'ins', method: 'dix3', imageId: null, value: 1, provenance: good },
        { metric: 'del', method: 'dix3', imageId: null, value: 2, provenance: bad },
      ],
    });
    assert.throws(
      () => commitItem(store, { jobId: job, itemId: id0, result: r, startedAt: good.startedAt, finishedAt: good.finishedAt }),
      (e: unknown) => e instanceof StoreError && e.code === 'invalid-data' && /provenance of score del of dix3.*modelHash/.test(e.message),
    );
    assert.equal(getItem(store, id0)?.state, 'running');
    assert.equal(getJob(store, job)?.itemsDone, 0);
    assert.equal(listScores(store).length, 0);
    assert.deepEqual(store.db.prepare('SELECT count(*) AS n FROM maps').get(), { n: 0 });

    // A map whose key is not its content address is refused.
    const wrong = { ...mapResult('img-a', 1), key: 'a'.repeat(64) };
    assert.throws(
      () => commitItem(store, { jobId: job, itemId: id0, result: result({ maps: [wrong] }), startedAt: good.startedAt, finishedAt: good.finishedAt }),
      /key must be computed with mapKey/,
    );
  } finally {
    close();
  }
});

test('maps are shared by content key: reuse links the stored map, removal keeps maps other jobs use', () => {
  const { store, close } = tempStore();
  try {
    const a = newJob(store, 1);
    const b = newJob(store, 1);
    const shared = mapResult('img-a', 1);
    const own = mapResult('img-b', 2);
    const t = new Date().toISOString();
    commitItem(store, { jobId: a, itemId: itemId(store, a, 'k0'), result: result({ maps: [shared, own] }), startedAt: t, finishedAt: t });
    const out = commitItem(store, { jobId: b, itemId: itemId(store, b, 'k0'), result: result({ reusedMapKeys: [shared.key, 'e'.repeat(64)] }), startedAt: t, finishedAt: t });
    assert.equal(out.mapsReused, 1);
    assert.equal(getJob(store, b)?.mapsReused, 1);
    assert.deepEqual(listJobMaps(store, b).map((m) => [m.key, m.reused]), [[shared.key, true]]);
    assert.equal(listJobMaps(store, a).length, 2);

    store.transaction(() => {
      store.prepare('DELETE FROM jobs WHERE id = ?').run(a);
      store.prepare('DELETE FROM maps WHERE NOT EXISTS (SELECT 1 FROM item_maps WHERE item_maps.map_id = maps.id)').run();
    });
    assert.ok(findMap(store, shared.key), 'still used by job b');
    assert.equal(findMap(store, own.key), undefined);
    assert.equal(findMap(store, shared.key)?.jobId, null);
  } finally {
    close();
  }
});

test('exports and job events', () => {
  const { store, close } = tempStore();
  try {
    const job = newJob(store, 0);
    const e = addExport(store, { jobId: job, kind: 'table', format: 'csv', path: '/tmp/t.csv', params: { metric: 'ins' } });
    assert.deepEqual(listExports(store, { jobId: job }), [e]);
    addJobEvent(store, job, 'warn', 'first');
    addJobEvent(store, job, 'error', 'second');
    assert.deepEqual(listJobEvents(store, job).map((x) => x.message), ['first', 'second']);
    assert.deepEqual(listJobEvents(store, job, 1).map((x) => x.message), ['second']);
  } finally {
    close();
  }
});
