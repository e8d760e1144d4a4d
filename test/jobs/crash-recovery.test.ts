// kill -9 of the whole app mid-job, then a restart: the job resumes at its first uncommitted item, every item is
// committed exactly once, and the database passes its integrity check. Also: a concurrent reader process while a
// job writes sees consistent, monotonic snapshots (WAL).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { enqueueJob, Scheduler, tsxExecArgv } from '../../main/jobs/index';
import { isProcessAlive } from '../../main/jobs/runner-lease';
import { getJob, listItems, openStore, type Store } from '../../main/store/index';
import { sumItems, tempDir, TEST_SPEC } from '../store/helpers';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SUM = fixture('sum-executor.ts');

function startApp(dbPath: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...tsxExecArgv(), fixture('app-main.ts'), dbPath, SUM], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Polls for a condition that no event announces (another process's exit); the time limit is only a safety net. */
async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function doneCount(store: Store, jobId: number): number {
  return (store.prepare("SELECT count(*) AS n FROM items WHERE job_id = ? AND state = 'done'").get(jobId) as { n: number }).n;
}

test('kill -9 of the app mid-job: a restart resumes at the first uncommitted item, each item committed exactly once', async (t) => {
  const { dir, cleanup } = tempDir();
  const dbPath = join(dir, 'workbench.db');
  const runLog = join(dir, 'runs.log');
  const env = { DIXW_TEST_RUN_LOG: runLog, DIXW_TEST_SLEEP_MS: '8' };
  const observer = openStore({ path: dbPath });
  try {
    const jobId = enqueueJob(observer, { spec: TEST_SPEC, items: sumItems(200) }).id;

    const app = startApp(dbPath, env);
    let appOutput = '';
    // The app prints its events as JSON lines: it is killed on its 40th commit, whatever the machine's speed.
    const fortieth = new Promise<void>((resolve) => {
      app.stdout?.on('data', (d) => {
        appOutput += d;
        if ((appOutput.match(/"type":"item-committed"/g) ?? []).length >= 40) resolve();
      });
      app.once('exit', () => resolve());
    });
    app.stderr?.on('data', (d) => (appOutput += d));
    await fortieth;
    assert.equal(app.exitCode, null, `the app ended early: ${appOutput}`);
    app.kill('SIGKILL');
    assert.deepEqual(await exited(app), { code: null, signal: 'SIGKILL' });

    // The orphaned worker notices its host is gone and exits.
    const runs = () => readFileSync(runLog, 'utf8').trim().split('\n').map((l) => l.split(' '));
    const workerPid = Number(runs().at(-1)![0]);
    await until('the orphaned worker to exit', () => !isProcessAlive(workerPid));

    const before = getJob(observer, jobId)!;
    const committedBefore = doneCount(observer, jobId);
    assert.equal(before.state, 'running');
    assert.equal(before.itemsDone, committedBefore);
    assert.ok(committedBefore >= 40 && committedBefore < 200, `${committedBefore} committed before the kill`);
    const items = listItems(observer, jobId);
    const firstUncommitted = items.find((i) => i.state !== 'done')!;
    // Committed items form a prefix: the first uncommitted item is where the kill landed.
    assert.equal(firstUncommitted.ordinal, committedBefore);
    assert.deepEqual(observer.integrityCheck(), ['ok']);
    const runsBefore = runs().length;
    t.diagnostic(`killed after ${committedBefore} committed items; item ${firstUncommitted.key} was in progress: ${items[committedBefore].state}`);

    const restarted = startApp(dbPath, env);
    let restartOutput = '';
    restarted.stdout?.on('data', (d) => (restartOutput += d));
    restarted.stderr?.on('data', (d) => (restartOutput += d));
    assert.deepEqual(await exited(restarted), { code: 0, signal: null }, restartOutput);
    const started = restartOutput.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'job-started');
    assert.equal(started.firstItemKey, firstUncommitted.key);
    assert.equal(started.resumed, true);
    // The first item the new worker ran is the first uncommitted one, and no committed item ran again.
    const after = runs().slice(runsBefore).map(([, key]) => key);
    assert.equal(after[0], firstUncommitted.key);
    const committedKeys = new Set(items.filter((i) => i.state === 'done').map((i) => i.key));
    assert.ok(after.every((k) => !committedKeys.has(k)), 'a committed item ran again');

    const done = getJob(observer, jobId)!;
    assert.equal(done.state, 'done');
    assert.equal(done.itemsDone, 200);
    const perItem = observer.prepare('SELECT i.key, count(s.id) AS n FROM items i LEFT JOIN scores s ON s.item_id = i.id WHERE i.job_id = ? GROUP BY i.id').all(jobId) as { key: string; n: number }[];
    assert.equal(perItem.length, 200);
    assert.deepEqual(perItem.filter((r) => r.n !== 1), [], 'every item has exactly one stored result');
    const sums = observer.prepare('SELECT i.payload, s.value FROM items i JOIN scores s ON s.item_id = i.id WHERE i.job_id = ?').all(jobId) as { payload: string; value: number }[];
    for (const { payload, value } of sums) {
      const n = (JSON.parse(payload) as { numbers: number[] }).numbers;
      assert.equal(value, n[0] + n[1] + n[2]);
    }
    assert.deepEqual(observer.integrityCheck(), ['ok']);
    assert.deepEqual(observer.db.pragma('foreign_key_check'), []);
  } finally {
    observer.close();
    cleanup();
  }
});

test('a reader process sees consistent, monotonic progress while a job writes (WAL)', async () => {
  const { dir, cleanup } = tempDir();
  const dbPath = join(dir, 'workbench.db');
  const store = openStore({ path: dbPath });
  const scheduler = new Scheduler({ store, executorPath: SUM, pollMs: 50 });
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(150, { sleepMs: 4 }) });
    const reader = spawn(process.execPath, [...tsxExecArgv(), fixture('reader-main.ts'), dbPath, String(job.id), '120000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const ready = new Promise<void>((resolve) => {
      reader.stdout?.on('data', (d) => {
        out += d;
        if (out.startsWith('ready\n')) resolve();
      });
      reader.once('exit', () => resolve());
    });
    reader.stderr?.on('data', (d) => (out += d));
    await ready; // a reader still starting (a second or more on a loaded machine) would see the job only once it is done
    scheduler.start();
    assert.equal((await scheduler.waitForJob(job.id)).state, 'done');
    assert.deepEqual(await exited(reader), { code: 0, signal: null }, out);
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { reads: number; inconsistent: number; backwards: number; errors: string[]; distinct: number; last: number };
    assert.deepEqual(summary.errors, []);
    assert.equal(summary.inconsistent, 0);
    assert.equal(summary.backwards, 0);
    assert.equal(summary.last, 150);
    assert.ok(summary.distinct > 5, `the reader saw only ${summary.distinct} distinct progress values in ${summary.reads} reads`);
    assert.ok(existsSync(`${dbPath}-wal`));
  } finally {
    await scheduler.stop();
    store.close();
    cleanup();
  }
});
