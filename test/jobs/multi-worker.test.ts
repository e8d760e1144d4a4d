// Several worker processes share one job (Scheduler `workers`): the stored results equal a single-worker run, every
// item is committed exactly once, a worker killed with SIGKILL mid-job costs nothing but its item's retry, and jobs
// whose items must stay in order (train) still run on one worker. Timings are the bench's business, not asserted here.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cancelJob, enqueueJob, Scheduler, type SchedulerEvent } from '../../main/jobs/index';
import { parallelPolicy } from '../../main/jobs/parallel-policy';
import { defaultWorkerCount, parseWorkerCount } from '../../main/jobs/worker-count';
import { listItems, listScores, type Store } from '../../main/store/index';
import { sumItems, tempStore, TEST_SPEC } from '../store/helpers';

const SUM = fileURLToPath(new URL('./fixtures/sum-executor.ts', import.meta.url));

function scheduler(store: Store, workers: number): { s: Scheduler; events: SchedulerEvent[] } {
  const s = new Scheduler({ store, executorPath: SUM, pollMs: 50, appVersion: 'test', workers });
  const events: SchedulerEvent[] = [];
  s.on((e) => events.push(e));
  return { s, events };
}

/** Per item key: the stored score and how many times it was committed. */
function results(store: Store, jobId: number, events: SchedulerEvent[]): { scores: Map<string, number>; commits: Map<string, number> } {
  const items = listItems(store, jobId);
  const byId = new Map(items.map((i) => [i.id, i.key]));
  const scores = new Map<string, number>();
  for (const s of listScores(store, { jobId })) {
    const key = byId.get(s.itemId!)!;
    assert.ok(!scores.has(key), `item ${key} has two stored scores`);
    scores.set(key, s.value ?? NaN);
  }
  const commits = new Map<string, number>();
  for (const e of events) if (e.type === 'item-committed') commits.set(e.itemKey, (commits.get(e.itemKey) ?? 0) + 1);
  for (const item of items) assert.equal(item.state, 'done', item.key);
  return { scores, commits };
}

async function runToDone(workers: number, count: number, sleepMs: number, during?: (events: SchedulerEvent[]) => Promise<void>) {
  const { store, close } = tempStore();
  const { s, events } = scheduler(store, workers);
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(count, { sleepMs }) });
    s.start();
    const finishing = s.waitForJob(job.id);
    await during?.(events);
    const done = await finishing;
    return { done, ...results(store, job.id, events), events, pids: new Set(listItems(store, job.id).map((i) => (i.output as { pid: number }).pid)) };
  } finally {
    await s.stop();
    close();
  }
}

test('two workers share a job: the same stored results as one worker, each item committed exactly once, by both', async () => {
  const one = await runToDone(1, 40, 20);
  const two = await runToDone(2, 40, 20);
  assert.equal(one.done.state, 'done');
  assert.equal(two.done.state, 'done');
  assert.equal(two.done.itemsDone, 40);
  assert.deepEqual([...two.scores].sort(), [...one.scores].sort());
  assert.equal(two.commits.size, 40);
  for (const [key, n] of two.commits) assert.equal(n, 1, `item ${key} committed ${n} times`);
  assert.equal(two.events.filter((e) => e.type === 'worker-started').length, 2);
  assert.equal(two.pids.size, 2, 'both workers ran items');
  assert.equal(one.pids.size, 1);
});

test('a worker killed with SIGKILL mid-job: the job still completes, every item committed exactly once', async () => {
  let killed = 0;
  const r = await runToDone(2, 60, 25, async (events) => {
    // wait until both workers have committed something, then kill one of them in the middle of its item
    const deadline = Date.now() + 600_000; // a safety net only: the wait is for the commits, however slow a loaded machine is
    while (events.filter((e) => e.type === 'item-committed').length < 10) {
      if (Date.now() > deadline) throw new Error('no progress');
      await new Promise((res) => setTimeout(res, 10));
    }
    const pid = events.find((e) => e.type === 'worker-started' && e.pid)!;
    killed = (pid as { pid: number }).pid;
    process.kill(killed, 'SIGKILL');
  });
  assert.ok(killed > 0);
  assert.equal(r.done.state, 'done');
  assert.equal(r.done.itemsDone, 60);
  assert.equal(r.scores.size, 60);
  for (const [key, n] of r.commits) assert.equal(n, 1, `item ${key} committed ${n} times`);
  for (const [key, value] of r.scores) {
    const i = Number(key.split(':')[1]);
    assert.equal(value, 3 * i + 3, key);
  }
  const crashes = r.events.filter((e) => e.type === 'worker-crashed');
  assert.equal(crashes.length, 1, 'the kill was noticed once, as a crash of the item it was running');
  assert.ok(r.events.filter((e) => e.type === 'worker-started').length >= 3, 'a fresh worker replaced the killed one');
});

test('cancel with two workers stops both; the job keeps its committed items and nothing else', async () => {
  const { store, close } = tempStore();
  const { s, events } = scheduler(store, 2);
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(200, { sleepMs: 20 }) });
    s.start();
    const deadline = Date.now() + 600_000; // a safety net only: the wait is for the commits, however slow a loaded machine is
    while (events.filter((e) => e.type === 'item-committed').length < 6) {
      if (Date.now() > deadline) throw new Error('no progress');
      await new Promise((res) => setTimeout(res, 10));
    }
    cancelJob(store, job.id);
    s.wake();
    const stopped = await s.waitForJob(job.id);
    assert.equal(stopped.state, 'cancelled');
    const items = listItems(store, job.id);
    assert.equal(items.filter((i) => i.state === 'running').length, 0);
    const done = items.filter((i) => i.state === 'done').length;
    assert.equal(stopped.itemsDone, done);
    assert.ok(done < 200);
    assert.equal(events.filter((e) => e.type === 'job-stopped').length, 1);
  } finally {
    await s.stop();
    close();
  }
});

test('which jobs run on several workers, and the default worker count', () => {
  assert.equal(parallelPolicy({ kind: 'train' } as never).maxWorkers, 1);
  assert.equal(parallelPolicy(TEST_SPEC as never).maxWorkers, Infinity);
  assert.equal(parallelPolicy({ kind: 'sanity', train: { epochs: 1 } } as never).firstItemAlone, true);
  assert.equal(parallelPolicy({ kind: 'sanity' } as never).firstItemAlone, false);
  assert.equal(defaultWorkerCount({ env: {}, cpus: 2 }), 2);
  assert.equal(defaultWorkerCount({ env: {}, cpus: 8, backend: 'tensorflow-gpu' }), 1);
  assert.equal(defaultWorkerCount({ env: { DIXW_WASM_THREADS: '2' }, cpus: 4 }), 2);
  assert.equal(defaultWorkerCount({ env: { DIXW_WASM_THREADS: 'auto' }, cpus: 4 }), 1);
  assert.equal(defaultWorkerCount({ env: { DIXW_WORKERS: '3' }, cpus: 2 }), 3);
  assert.equal(parseWorkerCount('auto'), null);
  assert.throws(() => parseWorkerCount('0'), /positive integer/);
});
