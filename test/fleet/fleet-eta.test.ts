// Progress and ETA of a job run on a Redis fleet are those of the local queue: items done/total, items per second
// and ETA, computed from the finish times the store recorded for its committed items (whichever machine ran them).
// The assertions compare with values derived from those recorded timestamps, never with a clock or a duration, so
// they hold on a loaded machine. A real redis-server and a real fleet worker process (2 engine lanes, so items
// overlap: the rate is the fleet's, not 1 / one item's duration); the same checks on the local queue.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { JobRateSchema, jobRate, RATE_WINDOW, type JobRate } from '../../shared/job-rate';
import { enqueueJob, tsxExecArgv } from '../../main/jobs/index';
import { WorkbenchApi } from '../../main/service/api-handlers';
import { jobRateOf } from '../../main/service/job-rates';
import { openService, type WorkbenchService } from '../../main/service/index';
import { listItems } from '../../main/store/index';
import { runCli } from '../helpers/run-cli';
import { sumItems, tempDir, TEST_SPEC } from '../store/helpers';
import { SKIP_WITHOUT_REDIS, TestRedis } from './redis-server';

const SUM = fileURLToPath(new URL('../jobs/fixtures/sum-executor.ts', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('./fixtures/fleet-worker-main.ts', import.meta.url));
const ITEMS = 8;

let redis: TestRedis;
let dir: string;
let cleanup: () => void;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-fleet-eta-'));
  if (SKIP_WITHOUT_REDIS) return;
  redis = await TestRedis.start();
});
after(async () => {
  await redis?.close();
  cleanup?.();
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

test('the rate is items finished per second of wall time over the last finishes; the ETA is what is left at that rate', () => {
  // Three finishes 2 s apart (recorded in any order), 10 items: 0.5 items/s, 7 left, 14 s after the last finish.
  const r = jobRate({ id: 1, itemsDone: 3, itemsTotal: 10 }, [at(4), at(0), at(2)].map((finishedAt) => ({ finishedAt, durationMs: 3000 })));
  assert.deepEqual(r, { jobId: 1, itemsDone: 3, itemsTotal: 10, itemsPerSecond: 0.5, etaSeconds: 14, asOf: at(4), expectedAt: at(18) });
  // Items that overlap (each took 3 s, one finished every 2 s): the rate is not 1 / 3 s.
  assert.notEqual(r.itemsPerSecond, 1 / 3);
  // One finish: its own duration is all there is.
  assert.equal(jobRate({ id: 1, itemsDone: 1, itemsTotal: 5 }, [{ finishedAt: at(0), durationMs: 500 }]).etaSeconds, 2);
  // Nothing finished: no rate, no ETA; everything done: ETA 0.
  assert.deepEqual(jobRate({ id: 1, itemsDone: 0, itemsTotal: 5 }, []), { jobId: 1, itemsDone: 0, itemsTotal: 5, itemsPerSecond: null, etaSeconds: null, asOf: null, expectedAt: null });
  assert.equal(jobRate({ id: 1, itemsDone: 5, itemsTotal: 5 }, [{ finishedAt: at(0), durationMs: 500 }, { finishedAt: at(1), durationMs: 500 }]).etaSeconds, 0);
  // Only the last RATE_WINDOW + 1 finishes count: a slow start (one item, then 40 s later one per second) is forgotten.
  const finishes = [{ finishedAt: at(0), durationMs: 1 }, ...Array.from({ length: RATE_WINDOW + 1 }, (_, i) => ({ finishedAt: at(40 + i), durationMs: 1 }))];
  assert.equal(jobRate({ id: 1, itemsDone: finishes.length, itemsTotal: 100 }, finishes).itemsPerSecond, 1);
});

/** What the rate must be, derived here from the items' recorded finish times (the oracle, written independently). */
function expectedRate(finishedAts: string[], done: number, total: number) {
  const t = finishedAts.map((s) => Date.parse(s)).sort((a, b) => a - b).slice(-(RATE_WINDOW + 1));
  const perSecond = (t.length - 1) / ((t[t.length - 1]! - t[0]!) / 1000);
  const eta = (total - done) / perSecond;
  return { perSecond, eta, asOf: new Date(t[t.length - 1]!).toISOString(), expectedAt: new Date(t[t.length - 1]! + eta * 1000).toISOString() };
}

/** Runs a job of ITEMS sum items on the service's queue backend and checks its rate halfway and once done against
 *  values derived from the store's recorded finish times. */
async function runAndCheckRates(svc: WorkbenchService): Promise<void> {
  // Items long enough that the two lanes overlap.
  const job = enqueueJob(svc.store, { spec: TEST_SPEC, items: sumItems(ITEMS, { sleepMs: 40 }) });
  // Halfway, inside the commit's own event (synchronous: nothing else can commit in between), the rate the API
  // answers and the finish times the store holds are read together.
  let mid: { rate: JobRate; finishedAts: string[]; done: number } | null = null;
  const off = svc.on((e) => {
    if (e.type !== 'item-committed' || e.jobId !== job.id || e.itemsDone !== ITEMS / 2) return;
    const done = listItems(svc.store, job.id, { state: 'done' });
    mid = { rate: jobRateOf(svc.store, job.id), finishedAts: done.map((i) => i.finishedAt!), done: done.length };
  });
  const runner = svc.runJobs({ pollMs: 50 });
  const finished = await runner.waitForJob(job.id).finally(() => runner.stop());
  off();
  assert.equal(finished.state, 'done', finished.error ?? '');
  assert.ok(mid, 'the halfway commit was seen');
  const m = mid as { rate: JobRate; finishedAts: string[]; done: number };
  assert.equal(m.done, ITEMS / 2);
  assert.equal(m.rate.itemsDone, ITEMS / 2);
  assert.equal(m.rate.itemsTotal, ITEMS);
  const want = expectedRate(m.finishedAts, ITEMS / 2, ITEMS);
  assert.ok(m.rate.itemsPerSecond !== null && Math.abs(m.rate.itemsPerSecond - want.perSecond) < 1e-9, `${m.rate.itemsPerSecond} vs ${want.perSecond}`);
  assert.ok(m.rate.etaSeconds !== null && Math.abs(m.rate.etaSeconds - want.eta) < 1e-9, `${m.rate.etaSeconds} vs ${want.eta}`);
  assert.equal(m.rate.asOf, want.asOf);
  assert.equal(m.rate.expectedAt, want.expectedAt);

  // Done: the API (what the window's Queue view reads) answers every item done, ETA 0, the rate of all finishes.
  const api = new WorkbenchApi(svc, { mode: 'web' });
  const [rate] = await api.call('jobs.rates', { ids: [job.id] });
  JobRateSchema.parse(rate);
  const all = listItems(svc.store, job.id, { state: 'done' }).map((i) => i.finishedAt!);
  assert.equal(all.length, ITEMS);
  const end = expectedRate(all, ITEMS, ITEMS);
  assert.equal(rate!.itemsDone, ITEMS);
  assert.equal(rate!.etaSeconds, 0);
  assert.equal(rate!.asOf, end.asOf);
  assert.ok(Math.abs(rate!.itemsPerSecond! - end.perSecond) < 1e-9);
  assert.deepEqual((await api.call('jobs.show', { id: job.id })).rate, rate);
}

test('a fleet job: items done/total, items per second and ETA from its recorded finishes, mid-job and once done', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const worker: ChildProcess = spawn(process.execPath, [...tsxExecArgv(), WORKER_MAIN, redis.url, SUM, '2', '30000'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((r) => worker.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker.stdout!.setEncoding('utf8');
    worker.stdout!.on('data', (c: string) => {
      out += c;
      if (out.includes('"type":"started"')) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`the fleet worker exited (${code})`)));
  });
  const dbPath = join(dir, 'fleet.db');
  const svc = openService({ dbPath, queue: redis.url });
  try {
    await runAndCheckRates(svc);
  } finally {
    await svc.close();
    worker.kill('SIGKILL');
    await exited;
  }
  // `dixw jobs show` prints the same rate.
  const shown = runCli(['jobs', 'show', '1', '--db', dbPath]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /^rate +\d+\.\d\d items\/s over the last committed items$/m);
});

test('a job on the local queue (two worker processes) gets its rate and ETA the same way', async () => {
  const svc = openService({ dbPath: join(dir, 'local.db'), queue: 'local', executorPath: SUM, workers: 2 });
  try {
    await runAndCheckRates(svc);
  } finally {
    await svc.close();
  }
});
