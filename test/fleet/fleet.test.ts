// The fleet (queue backend redis://): a coordinator commits to SQLite, fleet worker processes take items through
// BullMQ on a real redis-server started here. Two workers give the same stored results as one; a worker killed with
// SIGKILL, a Redis restart (which loses every key: no persistence) and a coordinator killed and restarted all end with
// the job done and every item committed exactly once. Waits are for events (a line from a process, a commit), never
// for a time; the sum executor keeps items cheap.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { parseQueueBackend, type QueueBackend } from '../../shared/fleet-protocol';
import { FleetCoordinator } from '../../main/jobs/fleet/coordinator';
import { cancelJob, enqueueJob, pauseJob, resumeJob, tsxExecArgv, type SchedulerEvent } from '../../main/jobs/index';
import { openStore } from '../../main/store/store';
import { listItems, listScores, type Store } from '../../main/store/index';
import { sumItems, tempStore, TEST_SPEC } from '../store/helpers';
import { SKIP_WITHOUT_REDIS, TestRedis } from './redis-server';

const SUM = fileURLToPath(new URL('../jobs/fixtures/sum-executor.ts', import.meta.url));
const CRASH = fileURLToPath(new URL('../jobs/fixtures/crash-executor.ts', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('./fixtures/fleet-worker-main.ts', import.meta.url));
const COORDINATOR_MAIN = fileURLToPath(new URL('./fixtures/coordinator-main.ts', import.meta.url));
/** Short enough that a killed worker's item comes back soon; the lock is renewed at half of it, so a busy machine keeps it. */
const VISIBILITY_MS = 3000;
/** Items out in Redis at once: far fewer than a job's, so every test also tops the window up. */
const WINDOW = 6;

let redis: TestRedis;
let queue: Extract<QueueBackend, { kind: 'redis' }>;

before(async () => {
  if (SKIP_WITHOUT_REDIS) return;
  redis = await TestRedis.start();
  const q = parseQueueBackend(redis.url);
  assert.equal(q.kind, 'redis');
  queue = q;
});
after(async () => {
  await redis?.close();
});

/** A child process whose stdout is JSON lines; waits for the line it needs. */
class LineProcess {
  readonly lines: Record<string, unknown>[] = [];
  private readonly waiters: { match: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    let buffered = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) {
        if (!p.startsWith('{')) continue;
        const line = JSON.parse(p) as Record<string, unknown>;
        this.lines.push(line);
        for (const w of [...this.waiters]) if (w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    proc.stderr!.on("data", (d) => { if (process.env.FLEET_DEBUG) process.stderr.write(d); });
    if (process.env.FLEET_DEBUG) proc.stdout!.on("data", (d) => process.stderr.write(d));
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  waitFor(match: (l: Record<string, unknown>) => boolean): Promise<void> {
    if (this.lines.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  kill(): Promise<number | null> {
    this.proc.kill('SIGKILL');
    return this.exited;
  }
}

async function startWorker(executor = SUM): Promise<LineProcess> {
  const p = new LineProcess(spawn(process.execPath, [...tsxExecArgv(), WORKER_MAIN, redis.url, executor, '1', String(VISIBILITY_MS)], { stdio: ['pipe', 'pipe', 'pipe'] }));
  await p.waitFor((l) => l.type === 'started');
  return p;
}

function coordinator(store: Store, storePath: string): { c: FleetCoordinator; events: SchedulerEvent[]; commits: (n: number) => Promise<void> } {
  // A window of 6 items out in Redis at once: the coordinator tops it up as results come back.
  const c = new FleetCoordinator({ store, storePath, queue, pollMs: 50, appVersion: 'test', window: WINDOW });
  const events: SchedulerEvent[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let committed = 0;
  c.on((e) => {
    events.push(e);
    if (e.type !== 'item-committed') return;
    committed++;
    for (const w of [...waiters]) if (committed >= w.n) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const commits = (n: number) => (committed >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  return { c, events, commits };
}

/** Per item key: the stored score; fails if an item has two stored scores or is not done. */
function storedScores(store: Store, jobId: number): Map<string, number> {
  const items = listItems(store, jobId);
  const byId = new Map(items.map((i) => [i.id, i.key]));
  const scores = new Map<string, number>();
  for (const s of listScores(store, { jobId })) {
    const key = byId.get(s.itemId!)!;
    assert.ok(!scores.has(key), `item ${key} has two stored scores`);
    scores.set(key, s.value ?? NaN);
  }
  for (const item of items) assert.equal(item.state, 'done', item.key);
  return scores;
}

function commitCounts(events: readonly { type: unknown; itemKey?: unknown }[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const e of events) if (e.type === 'item-committed') n.set(String(e.itemKey), (n.get(String(e.itemKey)) ?? 0) + 1);
  return n;
}

/** Runs a job of `count` sum items on `workers` fleet worker processes; `during` acts while it runs. */
async function runOnFleet(workers: number, count: number, sleepMs: number, during?: (ctx: { commits: (n: number) => Promise<void>; workers: LineProcess[] }) => Promise<void>) {
  const { store, path, close } = tempStore();
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker()));
  const { c, events, commits } = coordinator(store, path);
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(count, { sleepMs }) });
    c.start();
    const finishing = c.waitForJob(job.id);
    await during?.({ commits, workers: procs });
    const done = await finishing;
    const pids = new Set(listItems(store, job.id).map((i) => (i.output as { pid: number }).pid));
    return { done, scores: storedScores(store, job.id), commits: commitCounts(events), pids, events };
  } finally {
    await c.stop();
    await Promise.all(procs.map((p) => p.kill()));
    close();
  }
}

test('two fleet workers share a job: the same stored results as one worker, each item committed once, by both', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const one = await runOnFleet(1, 30, 20);
  const two = await runOnFleet(2, 30, 20);
  assert.equal(one.done.state, 'done');
  assert.equal(two.done.state, 'done');
  assert.equal(two.done.itemsDone, 30);
  assert.deepEqual([...two.scores].sort(), [...one.scores].sort());
  assert.equal(two.commits.size, 30);
  for (const [key, n] of two.commits) assert.equal(n, 1, `item ${key} committed ${n} times`);
  assert.equal(one.pids.size, 1);
  assert.equal(two.pids.size, 2, 'both workers ran items');
});

test('a fleet worker killed with SIGKILL mid-job: its item goes to the other worker, every item committed once', { skip: SKIP_WITHOUT_REDIS }, async () => {
  let killedBusy = false;
  const r = await runOnFleet(2, 40, 30, async ({ commits, workers }) => {
    await commits(8);
    // Kill the worker while it holds an item (it announced one and has not finished it).
    const victim = workers[0]!;
    const started = victim.lines.filter((l) => l.type === 'item-started').length;
    await victim.waitFor((l) => l.type === 'item-started' && victim.lines.filter((x) => x.type === 'item-started').length > started);
    killedBusy = true;
    await victim.kill();
  });
  assert.ok(killedBusy);
  assert.equal(r.done.state, 'done');
  assert.equal(r.done.itemsDone, 40);
  assert.equal(r.scores.size, 40);
  for (const [key, n] of r.commits) assert.equal(n, 1, `item ${key} committed ${n} times`);
  for (const [key, value] of r.scores) assert.equal(value, 3 * Number(key.split(':')[1]) + 3, key);
});

test('Redis restarted mid-job (its data lost): the coordinator publishes the items again and the job completes, each item once', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const r = await runOnFleet(2, 40, 30, async ({ commits }) => {
    await commits(8);
    await redis.restart();
  });
  assert.equal(r.done.state, 'done');
  assert.equal(r.scores.size, 40);
  for (const [key, n] of r.commits) assert.equal(n, 1, `item ${key} committed ${n} times`);
  assert.ok(r.events.some((e) => e.type === 'log' && /Redis is back/.test(e.message)), 'the coordinator noticed the restart');
});

test('the coordinator killed with SIGKILL and started again: nothing lost, every item committed once', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const { store, path, close } = tempStore();
  const workers = await Promise.all([startWorker(), startWorker()]);
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(40, { sleepMs: 30 }) });
    const startCoordinator = () => new LineProcess(spawn(process.execPath, [...tsxExecArgv(), COORDINATOR_MAIN, path, redis.url, String(WINDOW)], { stdio: ['pipe', 'pipe', 'pipe'] }));
    const first = startCoordinator();
    await first.waitFor((l) => l.type === 'item-committed' && Number(l.itemsDone) >= 8);
    await first.kill();
    const second = startCoordinator();
    assert.equal(await second.exited, 0);
    const scores = storedScores(store, job.id);
    assert.equal(scores.size, 40);
    const reopened = openStore({ path });
    try {
      assert.equal(listItems(reopened, job.id).filter((i) => i.state === 'done').length, 40);
    } finally {
      reopened.close();
    }
    const commits = commitCounts([...first.lines, ...second.lines] as { type: unknown; itemKey?: unknown }[]);
    assert.equal(commits.size, 40);
    for (const [key, n] of commits) assert.equal(n, 1, `item ${key} committed ${n} times`);
    assert.ok(second.lines.some((l) => l.type === 'job-stopped' && l.state === 'done'));
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    close();
  }
});

test('pause on the fleet: items in progress finish, the rest wait; resume completes the job, each item once', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const { store, path, close } = tempStore();
  const workers = await Promise.all([startWorker(), startWorker()]);
  const { c, events, commits } = coordinator(store, path);
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(40, { sleepMs: 30 }) });
    c.start();
    await commits(8);
    pauseJob(store, job.id);
    c.wake();
    const paused = await c.waitForJob(job.id);
    assert.equal(paused.state, 'paused');
    const items = listItems(store, job.id);
    assert.equal(items.filter((i) => i.state === 'running').length, 0, 'no item is left out in the fleet');
    const done = items.filter((i) => i.state === 'done').length;
    assert.equal(paused.itemsDone, done);
    assert.ok(done < 40, 'the pause stopped the job before its end');
    resumeJob(store, job.id);
    c.wake();
    const finished = await c.waitForJob(job.id);
    assert.equal(finished.state, 'done');
    assert.equal(storedScores(store, job.id).size, 40);
    const counts = commitCounts(events);
    assert.equal(counts.size, 40);
    for (const [key, n] of counts) assert.equal(n, 1, `item ${key} committed ${n} times`);
  } finally {
    await c.stop();
    await Promise.all(workers.map((w) => w.kill()));
    close();
  }
});

test('cancel on the fleet: the item in progress is stopped on its worker, committed items stay', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const { store, path, close } = tempStore();
  const worker = await startWorker();
  const { c, commits } = coordinator(store, path);
  try {
    // Two quick items, then items that never end: only a cancel stops the third.
    const items = sumItems(6).map((item, i) => (i < 2 ? item : { ...item, payload: { ...item.payload, hang: true } }));
    const job = enqueueJob(store, { spec: TEST_SPEC, items });
    c.start();
    await commits(2);
    await worker.waitFor((l) => l.type === 'item-started' && l.itemKey === 'n:2');
    cancelJob(store, job.id);
    c.wake();
    const stopped = await c.waitForJob(job.id);
    assert.equal(stopped.state, 'cancelled');
    await worker.waitFor((l) => l.type === 'item-finished' && l.itemKey === 'n:2' && l.outcome === 'cancelled');
    const after = listItems(store, job.id);
    assert.equal(after.filter((i) => i.state === 'done').length, 2);
    assert.equal(after.filter((i) => i.state === 'running').length, 0);
  } finally {
    await c.stop();
    await worker.kill();
    close();
  }
});

test('an item that kills its engine process on every attempt fails the job with the cause, after 3 attempts', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const { store, path, close } = tempStore();
  const worker = await startWorker(CRASH);
  const { c } = coordinator(store, path);
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(1) });
    c.start();
    const failed = await c.waitForJob(job.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /item n:0 was tried 3 times in the fleet.*killed by signal SIGKILL.*fake native crash in conv kernel on n:0/s);
    const crashed = () => worker.lines.filter((l) => l.type === 'item-finished' && l.outcome === 'crashed').length;
    await worker.waitFor(() => crashed() >= 3);
    assert.equal(crashed(), 3);
  } finally {
    await c.stop();
    await worker.kill();
    close();
  }
});
