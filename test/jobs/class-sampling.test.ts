// A limit and the maps a job keeps sample the classes in turn, on a real image folder registered in a real SQLite
// file and run by a real worker: never the first N files of one class by path.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openService } from '../../main/service/index';
import { listImages } from '../../main/store/index';
import { selectEntries } from '../../main/engine/data/select-entries';
import type { ExplainJobSummary } from '../../shared/service-api';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-sampling-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

test('selectEntries puts the classes in turn, then applies the limit; a per-class sample keeps that order', () => {
  // Path order: all of class 0, then class 1, then class 2 (as an ImageFolder lists them).
  const entries = [0, 0, 0, 0, 1, 1, 1, 2, 2].map((label, i) => ({ label, name: `img${i}` }));
  assert.deepEqual(selectEntries(entries, undefined, 5).map((e) => e.name), ['img0', 'img4', 'img7', 'img1', 'img5']);
  assert.deepEqual(selectEntries(entries).map((e) => e.label), [0, 1, 2, 0, 1, 2, 0, 1, 0]);
  assert.deepEqual(selectEntries(entries, 1).map((e) => e.name), ['img0', 'img4', 'img7']);
  assert.deepEqual(selectEntries(entries, 2, 4).map((e) => e.name), ['img0', 'img4', 'img7', 'img1']);
  // Unlabelled entries are one class, kept in path order.
  const loose = [null, null, null].map((label, i) => ({ label, name: `u${i}` }));
  assert.deepEqual(selectEntries(loose, undefined, 2).map((e) => e.name), ['u0', 'u1']);
});

test('an explain job limited to 6 images keeping 3 maps, on a class-folder dataset, explains two and keeps one of each class', async () => {
  const svc = openService({ dbPath: join(dir, 'sampling.db') });
  try {
    const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam'], limit: 6, keepMaps: 3 } });
    const runner = svc.runJobs({ pollMs: 50 });
    const done = await runner.waitForJob(job.id).finally(() => runner.stop());
    assert.equal(done.state, 'done', done.error ?? '');
    const images = new Map(listImages(svc.store, done.datasetId!).map((im) => [im.id, im]));
    // The folder lists every circle first: the first 6 by path would all be circles.
    assert.deepEqual([...images.values()].slice(0, 6).map((im) => im.relPath.split('/')[0]), Array(6).fill('circle'));
    const maps = await svc.results.maps({ jobId: job.id });
    const keptClasses = maps.map((m) => images.get(m.record.imageId!)!.relPath.split('/')[0]).sort();
    assert.deepEqual(keptClasses, ['circle', 'square', 'triangle']);
    const summary = (await svc.results.summary(job.id)) as ExplainJobSummary;
    const explained = summary.images.map((im) => im.image.split('/').at(-2)).sort();
    assert.deepEqual(explained, ['circle', 'circle', 'square', 'square', 'triangle', 'triangle']);
  } finally {
    await svc.close();
  }
});
