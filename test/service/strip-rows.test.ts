// The map strip of a sanity job has one row per image (the window groups a job's maps by its item), even when its
// maps were stored first (content-addressed, once) by a job on another registration of the same files: those maps
// point to the other registration's images, but belong to this job's items. Real folders, SQLite file and worker; the window's own API.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MapEntry } from '../../shared/api';
import { openService } from '../../main/service/index';
import { WorkbenchApi } from '../../main/service/api-handlers';
import { listItems } from '../../main/store/items-repo';
import { listImages } from '../../main/store/datasets-repo';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-strip-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

test('maps stored by a job on another registration of the same files stay on this job\'s items: one row per image', async () => {
  const copy = join(dir, 'data-copy');
  cpSync(data, copy, { recursive: true });
  const svc = openService({ dbPath: join(dir, 'strip.db') });
  const api = new WorkbenchApi(svc, { mode: 'web' });
  try {
    const spec = { kind: 'sanity', test: 'cascading', model, methods: ['gradcam'], limit: 2, seed: 3, keepMaps: 'all' };
    const runner = svc.runJobs({ pollMs: 50 });
    let first: number;
    let second: number;
    try {
      // One after the other, so that the second finds the first's maps stored.
      first = (await svc.jobs.submit({ spec: { ...spec, dataset: data } })).job.id;
      runner.wake();
      assert.equal((await runner.waitForJob(first)).state, 'done');
      second = (await svc.jobs.submit({ spec: { ...spec, dataset: copy } })).job.id;
      runner.wake();
      assert.equal((await runner.waitForJob(second)).state, 'done');
    } finally {
      await runner.stop();
    }
    const maps = (await api.call('results.maps', { jobId: second })) as MapEntry[];
    // Same content address, stored once: some of the second job's maps are the first job's records, on its images.
    const own = new Set(listImages(svc.store, (await svc.jobs.get(second)).datasetId!).map((im) => im.id));
    assert.ok(maps.some((m) => m.image && !own.has(m.image.id)), 'some maps point to the other registration\'s images');
    const items = new Set(listItems(svc.store, second).map((i) => i.key));
    assert.ok(maps.every((m) => items.has(m.itemKey)), 'every map is on one of this job\'s items');
    // Rows as the strip makes them: by item; each item shows one image path, and there are as many rows as images.
    const rows = new Map<string, Set<string>>();
    for (const m of maps.filter((x) => x.step !== null)) rows.set(m.itemKey, (rows.get(m.itemKey) ?? new Set()).add(m.image!.relPath));
    assert.equal(rows.size, 2);
    for (const paths of rows.values()) assert.equal(paths.size, 1);
    assert.equal(new Set([...rows.values()].map((p) => [...p][0])).size, 2);
  } finally {
    await svc.close();
  }
});
