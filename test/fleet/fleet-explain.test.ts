// A real explain job through the fleet: the service coordinates (queue redis://...), a `dixw worker --queue` process
// runs the engine on a small built-in CNN and a synthetic image folder, and the stored maps equal those of the same
// job run on the local queue (same content addresses, same values). Also: `dixw fleet status` sees that worker, and a
// model whose files at the worker's path are not the registered ones fails the job with what changed and where.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openService } from '../../main/service/index';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { SKIP_WITHOUT_REDIS, TestRedis } from './redis-server';

const DIXW = fileURLToPath(new URL('../../bin/dixw.js', import.meta.url));

let redis: TestRedis;
let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  if (SKIP_WITHOUT_REDIS) return;
  redis = await TestRedis.start();
  ({ dir, cleanup } = tempDir('dixw-fleet-explain-'));
  data = makeDataset(dir, 'data', 6);
  model = await makeModel(dir);
});
after(async () => {
  await redis?.close();
  cleanup?.();
});

async function explain(queue: string, db: string) {
  const svc = openService({ dbPath: join(dir, db), queue, workers: 1 });
  try {
    const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam', 'dix2'], keepMaps: 'all' } });
    const runner = svc.runJobs({ pollMs: 50 });
    const done = await runner.waitForJob(job.id).finally(() => runner.stop());
    const maps = await svc.results.maps({ jobId: job.id });
    return { done, maps: new Map(maps.map((m) => [m.record.key, Array.from(m.values)])) };
  } finally {
    await svc.close();
  }
}

test('a real explain job on the fleet stores the same maps as on the local queue; fleet status lists the worker', { skip: SKIP_WITHOUT_REDIS }, async () => {
  let fleet: Awaited<ReturnType<typeof explain>>;
  const worker = await fleetWorker();
  try {
    fleet = await explain(redis.url, 'fleet.db');
    assert.equal(fleet.done.state, 'done', fleet.done.error ?? '');
    assert.equal(fleet.done.itemsDone, 6);
    assert.equal(fleet.done.provenance?.backend?.name, 'wasm', 'the backend the fleet worker ran on is recorded');

    const status = spawnSync(process.execPath, [DIXW, 'fleet', 'status', '--queue', redis.url, '--json'], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { workers: { alive: boolean; backend: string | null; itemsDone: number }[] };
    assert.equal(parsed.workers.length, 1);
    assert.equal(parsed.workers[0]!.alive, true);
    assert.equal(parsed.workers[0]!.backend, 'wasm');
  } finally {
    await worker.stop();
  }
  const local = await explain('local', 'local.db');
  assert.equal(local.done.state, 'done', local.done.error ?? '');
  assert.equal(local.maps.size, 12, 'two methods x six images');
  assert.deepEqual([...fleet.maps.keys()].sort(), [...local.maps.keys()].sort(), 'the same content addresses');
  for (const [key, values] of local.maps) assert.deepEqual(fleet.maps.get(key), values, `map ${key}`);
});

/** Starts `dixw worker --queue` and resolves once it takes items. */
async function fleetWorker(): Promise<{ proc: ChildProcess; stop: () => Promise<unknown> }> {
  const proc = spawn(process.execPath, [DIXW, 'worker', '--queue', redis.url, '--workers', '1', '--backend', 'wasm'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => proc.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (c: string) => {
      err += c;
      if (err.includes('takes items from')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`dixw worker exited (${code}): ${err}`)));
  });
  return { proc, stop: () => (proc.kill('SIGTERM'), exited) };
}

test('a model whose files differ at the fleet worker path fails the job, saying what changed and on which host', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const changed = await makeModel(dir, 'model-changed');
  const svc = openService({ dbPath: join(dir, 'changed.db'), queue: redis.url });
  try {
    const { job } = await svc.jobs.submit({ spec: { kind: 'explain', model: changed, dataset: data, methods: ['gradcam'] } });
    // The files change after the job was queued with the model's content hash.
    appendFileSync(join(changed, 'model.json'), ' ');
    const worker = await fleetWorker();
    try {
      const runner = svc.runJobs({ pollMs: 50 });
      const done = await runner.waitForJob(job.id).finally(() => runner.stop());
      assert.equal(done.state, 'failed');
      assert.match(done.error ?? '', /could not start: The files of .* changed since it was registered/);
      assert.match(done.error ?? '', new RegExp(`\\(on ${hostname()}\\)`));
    } finally {
      await worker.stop();
    }
  } finally {
    await svc.close();
  }
});
