// A fleet worker whose first request to the coordinator's file server is dropped on the network: it tries again after
// a pause and the job completes, every item done. Real parts: redis-server, the service coordinating, a `dixw worker`
// that cannot see the coordinator's folder (test/fleet/hidden-worker.ts), and a proxy in front of the file server that
// drops the first request; the coordinator's advert in Redis is pointed at the proxy before the worker starts.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { BlobServiceAdSchema } from '../../shared/blob-protocol';
import { FLEET_PREFIX } from '../../main/jobs/fleet/fleet-names';
import { openService } from '../../main/service/index';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { startFlakyProxy } from './flaky-proxy';
import { skipWithoutNamespaces, startHiddenWorker } from './hidden-worker';
import { TestRedis } from './redis-server';

const SKIP = skipWithoutNamespaces();

let redis: TestRedis;
let dir: string;
let cleanup: () => void;
let shared: string;

before(async () => {
  if (SKIP) return;
  redis = await TestRedis.start();
  ({ dir, cleanup } = tempDir('dixw-fleet-retry-'));
  shared = join(dir, 'coordinator');
  mkdirSync(shared);
});
after(async () => {
  await redis?.close();
  cleanup?.();
});

/** The coordinator's advert key, once it has advertised its file server (it does so when its runner starts). */
async function advertKey(client: Redis): Promise<string> {
  for (;;) {
    const [key] = await client.keys(`${FLEET_PREFIX}:fleet:blobs:*`);
    if (key) return key;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a worker whose first fetch is dropped on the network tries again: the job completes, every item done', { skip: SKIP }, async () => {
  const data = makeDataset(shared, 'data', 3);
  const model = await makeModel(shared);
  const client = new Redis(redis.url);
  const fleet = openService({ dbPath: join(dir, 'fleet.db'), queue: redis.url });
  const runner = fleet.runJobs({ pollMs: 50 });
  const key = await advertKey(client);
  const ad = BlobServiceAdSchema.parse(JSON.parse((await client.get(key))!));
  const proxy = await startFlakyProxy(ad.url, 1);
  await client.set(key, JSON.stringify({ ...ad, url: proxy.url }));
  const worker = await startHiddenWorker(redis.url, shared, join(dir, 'cache'));
  try {
    const { job } = await fleet.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam'], keepMaps: 'all' } });
    const done = await runner.waitForJob(job.id);
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(done.itemsDone, 3);
    assert.equal(proxy.seen[1], proxy.seen[0], 'the dropped request was asked again');
  } finally {
    await worker.stop();
    await runner.stop();
    await fleet.close();
    await proxy.close();
    client.disconnect();
  }
});
