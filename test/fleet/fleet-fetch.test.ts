// A fleet worker that does not find the model and dataset at the coordinator's paths: a real `dixw worker --queue`
// process in its own mount namespace, where the coordinator's folder is an empty tmpfs (as on another machine), with
// a real redis-server and the service coordinating. It fetches both by content hash from the coordinator's file
// server: the stored maps equal a local run's; the next job uses its cache (the coordinator's files are gone by then);
// a metrics job finds the masks through the dataset's manifest and scores as a local run does; and an image altered
// at the coordinator is refused, failing its item with that reason while nothing stored is lost.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { indexDataset } from '../../main/jobs/engine-inputs';
import { openService } from '../../main/service/index';
import { listScores } from '../../main/store/scores-repo';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import type { DixwWorker } from './dixw-worker';
import { skipWithoutNamespaces, startHiddenWorker } from './hidden-worker';
import { TestRedis } from './redis-server';

const SKIP = skipWithoutNamespaces();

let redis: TestRedis;
let dir: string;
let cleanup: () => void;
/** The coordinator's folder: the worker sees it empty. */
let shared: string;
let data: string;
let model: string;

before(async () => {
  if (SKIP) return;
  redis = await TestRedis.start();
  ({ dir, cleanup } = tempDir('dixw-fleet-fetch-'));
  shared = join(dir, 'coordinator');
  mkdirSync(shared);
  data = makeDataset(shared, 'data', 4);
  model = await makeModel(shared);
});
after(async () => {
  await redis?.close();
  cleanup?.();
});

/** A `dixw worker --queue` process that sees the coordinator's folder empty. */
function hiddenWorker(cache: string): Promise<DixwWorker> {
  return startHiddenWorker(redis.url, shared, cache);
}

type Service = ReturnType<typeof openService>;

async function runExplain(svc: Service, before?: () => void) {
  const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam', 'dix2'], keepMaps: 'all' } });
  before?.();
  const runner = svc.runJobs({ pollMs: 50 });
  const done = await runner.waitForJob(job.id).finally(() => runner.stop());
  return { done, maps: await storedMaps(svc, job.id) };
}

async function storedMaps(svc: Service, jobId: number): Promise<Map<string, number[]>> {
  const maps = await svc.results.maps({ jobId });
  return new Map(maps.map((m) => [m.record.key, Array.from(m.values)]));
}

test('a worker that cannot see the coordinator\'s files fetches them by content hash: the same maps as a local run, then from its cache', { skip: SKIP }, async () => {
  const cache = join(dir, 'worker-cache');
  const worker = await hiddenWorker(cache);
  const fleet = openService({ dbPath: join(dir, 'fleet.db'), queue: redis.url });
  try {
    const first = await runExplain(fleet);
    assert.equal(first.done.state, 'done', first.done.error ?? '');
    assert.equal(first.done.itemsDone, 4);
    assert.equal(readdirSync(join(cache, 'models')).filter((n) => !n.endsWith('.json')).length, 1, 'the model is kept in the worker\'s cache');
    assert.ok(readdirSync(join(cache, 'blobs')).length >= 4 + 2, 'the images and the model\'s files are kept by hash');

    const local = openService({ dbPath: join(dir, 'local.db'), queue: 'local', workers: 1 });
    try {
      const ref = await runExplain(local);
      assert.equal(ref.done.state, 'done', ref.done.error ?? '');
      assert.equal(ref.maps.size, 8, 'two methods x four images');
      assert.deepEqual([...first.maps.keys()].sort(), [...ref.maps.keys()].sort(), 'the same content addresses');
      for (const [key, values] of ref.maps) assert.deepEqual(first.maps.get(key), values, `map ${key}`);
    } finally {
      await local.close();
    }

    // The coordinator's files move away once the job is queued: only the worker's cache can run it now.
    const moved = () => {
      renameSync(model, `${model}-away`);
      renameSync(data, `${data}-away`);
    };
    try {
      const second = await runExplain(fleet, moved);
      assert.equal(second.done.state, 'done', second.done.error ?? '');
      assert.equal(second.done.itemsDone, 4);
    } finally {
      if (existsSync(`${model}-away`)) renameSync(`${model}-away`, model);
      if (existsSync(`${data}-away`)) renameSync(`${data}-away`, data);
    }
  } finally {
    await fleet.close();
    await worker.stop();
  }
});

test('a metrics job whose localisation metric needs masks: the worker finds them through the dataset\'s verified manifest, the same scores as a local run', { skip: SKIP }, async () => {
  const spec = { kind: 'metrics', model, dataset: data, methods: ['gradcam'], metrics: ['seg'], seed: 3, backend: 'wasm' } as const;
  const scores = async (svc: Service) => {
    const { job } = await svc.jobs.submit({ spec });
    const runner = svc.runJobs({ pollMs: 50 });
    const done = await runner.waitForJob(job.id).finally(() => runner.stop());
    assert.equal(done.state, 'done', done.error ?? '');
    return listScores(svc.store, { jobId: job.id }).map((s) => `${s.method} ${s.metric} ${s.imageId} ${s.value}`).sort();
  };
  const cache = join(dir, 'metrics-cache');
  const worker = await hiddenWorker(cache);
  const fleet = openService({ dbPath: join(dir, 'metrics-fleet.db'), queue: redis.url });
  let fetched: string[];
  try {
    fetched = await scores(fleet);
  } finally {
    await fleet.close();
    await worker.stop();
  }
  assert.deepEqual(readdirSync(join(cache, 'datasets')).filter((n) => n.endsWith('.json')).length, 1, 'the manifest is kept');
  const local = openService({ dbPath: join(dir, 'metrics-local.db'), queue: 'local', workers: 1 });
  try {
    const ref = await scores(local);
    assert.ok(ref.length > 0 && ref.some((line) => !line.endsWith(' null')), 'the masks gave scores');
    assert.deepEqual(fetched, ref);
  } finally {
    await local.close();
  }
});

test('an image that differs at the coordinator from its content hash is refused by the worker: its item fails the job saying so, committed items stay', { skip: SKIP }, async () => {
  const worker = await hiddenWorker(join(dir, 'fresh-cache'));
  const fleet = openService({ dbPath: join(dir, 'tamper.db'), queue: redis.url });
  try {
    // The last image by path changes after the job was queued with the indexed hashes; one lane runs the items in
    // order, so those before it are fetched, run and committed first.
    const { relPath: last, contentHash } = indexDataset(data).images.at(-1)!;
    const bad = await runExplain(fleet, () => writeFileSync(join(data, ...last.split('/')), Buffer.from('not the indexed image')));
    assert.equal(bad.done.state, 'failed');
    assert.match(bad.done.error ?? '', new RegExp(`refused image ${last} from the coordinator at http://127\\.0\\.0\\.1:\\d+: its content hash is [0-9a-f]{12}, not [0-9a-f]{12}`));
    assert.ok(bad.done.itemsDone >= 1, 'items run before it were committed and stay so');
    assert.equal(bad.maps.size, 2 * bad.done.itemsDone, 'with their maps');
    assert.equal(existsSync(join(dir, 'fresh-cache', 'blobs', contentHash)), false, 'the altered bytes are not kept');
  } finally {
    await fleet.close();
    await worker.stop();
  }
});
