// The service in-process over a real SQLite file, with real worker processes running the real engine: datasets and
// models as records, spec validation before queueing, explain jobs with content-addressed reuse and full provenance,
// and bad input (a stored spec the engine cannot run, images that vanished or changed, a full disk).
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openService, ServiceError, type WorkbenchService } from '../../main/service/index';
import { enqueueJob } from '../../main/jobs/queue';
import { imageItems } from '../../main/jobs/plan-items';
import { countItems, listJobMaps, listItems } from '../../main/store/index';
import { tf } from '../../main/engine/tf';
import { loadVisionModel } from '../../main/engine/model/load-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { readImageFile } from '../../main/engine/data/image-decode';
import { toModelInput } from '../../main/engine/data/image-to-input';
import type { ExplainJobSummary } from '../../shared/service-api';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel, FIXTURE_SIZE } from '../helpers/workbench-fixtures';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-service-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

function service(name: string): WorkbenchService {
  return openService({ dbPath: join(dir, `${name}.db`) });
}

async function rejects(p: Promise<unknown>, code: ServiceError['code'], message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.text, message);
    return true;
  });
}

/** Runs the queue until the job stops; returns the job. */
async function run(svc: WorkbenchService, jobId: number) {
  const runner = svc.runJobs({ pollMs: 50 });
  try {
    return await runner.waitForJob(jobId);
  } finally {
    await runner.stop();
  }
}

test('datasets: a folder is indexed once; adding it again says unchanged, or re-indexes it and names the changes', async () => {
  const svc = service('datasets');
  try {
    const copy = join(dir, 'data-copy');
    cpSync(data, copy, { recursive: true });
    const first = await svc.datasets.add({ path: copy, name: 'copy' });
    assert.equal(first.status, 'added');
    assert.deepEqual(first.dataset.classes, ['circle', 'square', 'triangle']);
    assert.equal(first.dataset.imageCount, 24);
    assert.equal((await svc.datasets.add({ path: copy })).status, 'unchanged');
    const shown = await svc.datasets.show(first.dataset.id);
    assert.deepEqual(shown.perClass, { circle: 8, square: 8, triangle: 8 });
    assert.equal(shown.masks, 24);

    copyFileSync(join(copy, 'square', '0001.png'), join(copy, 'circle', '0000.png')); // changed
    unlinkSync(join(copy, 'triangle', '0002.png')); // removed
    copyFileSync(join(copy, 'square', '0004.png'), join(copy, 'square', 'extra.png')); // added
    const again = await svc.datasets.add({ path: copy });
    assert.equal(again.status, 'reindexed');
    assert.deepEqual(again.changes, { added: 1, removed: 1, changed: 1 });
    assert.equal(again.previousHash, first.dataset.contentHash);
    assert.notEqual(again.dataset.contentHash, first.dataset.contentHash);
    assert.equal(again.dataset.id, first.dataset.id);

    await rejects(svc.datasets.add({ path: join(dir, 'nowhere') }), 'unusable-input', /does not exist/);
    await rejects(svc.datasets.add({ path: copy, colour: 'red' } as never), 'invalid-input', /colour/);
    await svc.datasets.remove(first.dataset.id);
    assert.deepEqual(await svc.datasets.list(), []);
    await rejects(svc.datasets.show(first.dataset.id), 'not-found', /no dataset with id/);
  } finally {
    await svc.close();
  }
});

test('models: registered with content hash, input, classes and cut points; a changed folder updates the record', async () => {
  const svc = service('models');
  try {
    const copy = join(dir, 'model-copy');
    cpSync(model, copy, { recursive: true });
    const added = await svc.models.add({ path: copy });
    assert.equal(added.status, 'added');
    const shown = await svc.models.show(added.model.id);
    assert.deepEqual(shown.info?.defaultLayers, ['block3_pool', 'block2_pool', 'block1_pool']);
    assert.equal(shown.info?.numClasses, 3);
    assert.equal(shown.info?.preprocessing.height, FIXTURE_SIZE);
    assert.ok(shown.info!.cutPoints.some((c) => c.name === 'block3_pool' && c.blockOutput));
    assert.equal((await svc.models.add({ path: copy })).status, 'unchanged');
    const weights = readFileSync(join(copy, 'weights.bin'));
    weights[weights.length - 1] ^= 0xff;
    writeFileSync(join(copy, 'weights.bin'), weights);
    const updated = await svc.models.add({ path: copy });
    assert.equal(updated.status, 'updated');
    assert.equal(updated.previousHash, added.model.contentHash);
    await rejects(svc.models.add({ path: join(dir, 'data') }), 'unusable-input', /No model\.json/);
  } finally {
    await svc.close();
  }
});

test('a job spec is validated before anything is queued: unknown fields, values and names are refused by name', async () => {
  const svc = service('specs');
  try {
    const base = { kind: 'explain', model, dataset: data, methods: ['dix3'] };
    await rejects(svc.jobs.submit({ spec: { ...base, stepz: 5 } }), 'invalid-input', /unknown field "stepz".*allowed: kind, model/);
    await rejects(svc.jobs.submit({ spec: { ...base, methods: ['dix3', 'dix9'] } }), 'invalid-input', /Unknown method "dix9"\.\nUse one of: dix1/);
    await rejects(svc.jobs.submit({ spec: { ...base, keepMaps: 'some', steps: 0 } }), 'invalid-input', /field steps: .*; explain spec field keepMaps: keepMaps must be a number of images, "all" or "none"/);
    await rejects(svc.jobs.submit({ spec: { ...base, kind: 'explian' } }), 'invalid-input', /kind "explian"/);
    await rejects(svc.jobs.submit({ spec: { kind: 'train', dataset: data, arch: 'alexnet', epochs: 1, seed: 0, out: join(dir, 'x') } }), 'invalid-input', /Unknown architecture "alexnet"/);
    await rejects(svc.jobs.submit({ spec: base, priority: 'high' } as never), 'invalid-input', /priority/);
    await rejects(svc.jobs.submit({ spec: { ...base, limit: 2, perClass: 0 } }), 'invalid-input', /perClass/);
    assert.deepEqual(await svc.jobs.list(), []);
  } finally {
    await svc.close();
  }
});

test('an explain job stores every map with full provenance; maps read back within 1e-3 of a direct computation', async () => {
  const svc = service('explain');
  try {
    const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['dix2', 'gradcam', 'ig'], limit: 3, seed: 11 } });
    const done = await run(svc, job.id);
    assert.equal(done.state, 'done', done.error ?? '');
    const maps = await svc.results.maps({ jobId: job.id });
    assert.equal(maps.length, 9);
    const vm = await loadVisionModel(model);
    for (const m of maps.filter((x) => x.itemKey === 'image:1')) {
      const p = m.provenance;
      assert.equal(p.modelHash, vm.hash);
      assert.equal(p.datasetHash, job.inputs.dataset?.hash);
      assert.equal(p.seed, 11);
      assert.equal(p.backend.name, 'wasm');
      assert.ok(p.appVersion && Date.parse(p.startedAt) <= Date.parse(p.finishedAt));
      assert.ok(p.cutPoints.length > 0 && Object.keys(p.params).length > 0, JSON.stringify(p));
      const input = toModelInput(readImageFile(join(data, 'circle', '0000.png')), vm.preprocessing);
      const x = tf.tensor4d(input, [1, FIXTURE_SIZE, FIXTURE_SIZE, 3]);
      const direct = explainImage(vm, x, planMethods(vm, [p.id], {}), p.targetClass).maps[0];
      x.dispose();
      assert.deepEqual(direct.cutPoints, p.cutPoints);
      assert.ok(maxNormalizedDiff(direct.map, m.values) < 1e-3, `${p.id}: ${maxNormalizedDiff(direct.map, m.values)}`);
    }
    vm.dispose();
    const summary = (await svc.results.summary(job.id)) as ExplainJobSummary;
    assert.equal(summary.images.length, 3);
    assert.equal(summary.mapsComputed, 9);
    assert.equal(summary.mapsReused, 0);
    assert.deepEqual(summary.methods.map((m) => m.id), ['dix2', 'gradcam', 'ig']);
  } finally {
    await svc.close();
  }
});

function maxNormalizedDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const norm = (v: ArrayLike<number>) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      lo = Math.min(lo, v[i]);
      hi = Math.max(hi, v[i]);
    }
    return Array.from(v, (x) => (hi > lo ? (x - lo) / (hi - lo) : 0));
  };
  const na = norm(a);
  const nb = norm(b);
  return na.reduce((m, x, i) => Math.max(m, Math.abs(x - nb[i])), 0);
}

test('an image that vanished or changed after indexing is skipped and recorded; the job goes on', async () => {
  const svc = service('skips');
  const copy = join(dir, 'data-skips');
  cpSync(data, copy, { recursive: true });
  try {
    const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: copy, methods: ['gradcam'], limit: 4 } });
    rmSync(join(copy, 'circle', '0000.png'));
    copyFileSync(join(copy, 'square', '0001.png'), join(copy, 'circle', '0003.png'));
    const done = await run(svc, job.id);
    assert.equal(done.state, 'done', done.error ?? '');
    const summary = (await svc.results.summary(job.id)) as ExplainJobSummary;
    assert.equal(summary.images.length, 2);
    assert.deepEqual(summary.skipped.map((s) => [s.image.endsWith(join('circle', '0000.png')), s.reason]), [
      [true, 'the file is gone since the dataset was indexed'],
      [false, `the file changed since the dataset was indexed; re-index it with "dixw dataset add ${copy}"`],
    ]);
    const events = (await svc.jobs.show(job.id)).events.map((e) => e.message);
    assert.ok(events.some((m) => /skipped .*0000\.png: the file is gone/.test(m)), events.join('\n'));
  } finally {
    await svc.close();
  }
});

test('a queued spec the engine cannot run fails that job with the reason; other jobs run and keep their results', async () => {
  const svc = service('newer-spec');
  try {
    const { job: good } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam'], limit: 2 } });
    // As a newer release (or a hand-edited file) could leave it: a method this engine does not know.
    const bad = enqueueJob(svc.store, { spec: { ...good.spec, methods: ['dix9'] }, items: imageItems(svc.store, good.datasetId!, 2), inputs: good.inputs, priority: 5 });
    const runner = svc.runJobs({ pollMs: 50 });
    const failed = await runner.waitForJob(bad.id);
    const done = await runner.waitForJob(good.id);
    await runner.stop();
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /^the job could not start: Unknown method "dix9"\.\nUse one of: dix1/);
    assert.equal(done.state, 'done');
    assert.equal(listJobMaps(svc.store, good.id).length, 2);
  } finally {
    await svc.close();
  }
});

test('a full disk fails the job with that reason; earlier results and the database stay intact, and retry finishes it', async () => {
  const svc = service('full-disk');
  try {
    const { job: first } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['dix1'], limit: 2 } });
    assert.equal((await run(svc, first.id)).state, 'done');
    const before = (await svc.results.maps({ jobId: first.id })).map((m) => Array.from(m.values));
    const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['ig', 'dix3'] } });
    // SQLite answers SQLITE_FULL exactly as on a full disk once the file may not grow (this connection only).
    const pages = svc.store.db.pragma('page_count', { simple: true }) as number;
    svc.store.db.pragma(`max_page_count = ${pages}`);
    const failed = await run(svc, job.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /could not be stored: The disk holding the database .* is full .*Free some space; results committed so far are intact/);
    const counts = countItems(svc.store, job.id);
    assert.equal(counts.failed, 1);
    assert.equal(counts.done, failed.itemsDone);
    assert.ok(failed.itemsDone < failed.itemsTotal);
    assert.deepEqual(svc.store.integrityCheck(), ['ok']);
    assert.deepEqual((await svc.results.maps({ jobId: first.id })).map((m) => Array.from(m.values)), before);

    svc.store.db.pragma('max_page_count = 1073741823');
    await svc.jobs.retry(job.id);
    const retried = await run(svc, job.id);
    assert.equal(retried.state, 'done', retried.error ?? '');
    assert.equal(listItems(svc.store, job.id).filter((i) => i.state === 'done').length, 24);
    assert.equal(listJobMaps(svc.store, job.id).length, 48);
  } finally {
    await svc.close();
  }
});
