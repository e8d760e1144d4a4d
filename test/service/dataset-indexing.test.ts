// Adding a dataset through the service: the folder is indexed on a worker thread (other calls are answered
// meanwhile), link loops are reported instead of followed, and a refused folder keeps its message and hint.
import assert from 'node:assert/strict';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { datasetIndexCounts } from '../../main/jobs/dataset-index-thread';
import { openService, ServiceError, type WorkbenchService } from '../../main/service/index';
import { makeDataset } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let svc: WorkbenchService;

before(() => {
  ({ dir, cleanup } = tempDir('dixw-indexing-'));
  data = makeDataset(dir);
  svc = openService({ dbPath: join(dir, 'wb.db') });
});
after(async () => {
  await svc.close();
  cleanup();
});

test('a folder is indexed off the calling thread: a call made after datasets.add is answered before it', async () => {
  const before = datasetIndexCounts().worker;
  const order: string[] = [];
  // Indexing on the calling thread finished inside add() itself, so add's answer always came first.
  const adding = svc.datasets.add({ path: data }).then((r) => (order.push('add'), r));
  const listing = svc.datasets.list().then(() => order.push('list'));
  const [added] = await Promise.all([adding, listing]);
  assert.deepEqual(order, ['list', 'add']);
  assert.equal(added.dataset.imageCount, 24);
  assert.equal(datasetIndexCounts().worker, before + 1, 'the worker thread indexed it');
});

test('a link loop is reported, not followed: each image is indexed once and the add succeeds', async () => {
  const looped = join(dir, 'looped');
  cpSync(data, looped, { recursive: true });
  // Before: "Maximum call stack size exceeded" after 13 s, with one image counted once per lap around the loop.
  symlinkSync('..', join(looped, 'circle', 'l1'));
  symlinkSync(join(looped, 'square'), join(looped, 'circle', 'also-square'));
  const r = await svc.datasets.add({ path: looped });
  assert.equal(r.status, 'added');
  assert.equal(r.dataset.imageCount, 24);
  assert.deepEqual(r.warnings, [
    'circle/also-square: the same folder as square, which is indexed once: not followed',
    'circle/l1: a link to a folder that contains it (the dataset folder), a loop: not followed',
  ]);
  assert.deepEqual((await svc.datasets.show(r.dataset.id)).perClass, { circle: 8, square: 8, triangle: 8 });
});

test('a refused folder keeps its message and hint across the thread', async () => {
  const empty = join(dir, 'empty');
  cpSync(join(data, 'masks'), join(empty, 'masks'), { recursive: true });
  await assert.rejects(svc.datasets.add({ path: empty }), (e: unknown) => {
    assert.ok(e instanceof ServiceError, String(e));
    assert.equal(e.code, 'unusable-input');
    assert.match(e.message, /contains no images/);
    assert.match(e.hint ?? '', /one subfolder per class/);
    return true;
  });
});
