// The worker pool that runs SIC/AIC's WebP encodings beside the model: real worker threads (TypeScript through the
// boot file), results in order, every task run exactly once whether a worker or the settling thread takes it, errors
// and a dying worker reported to the caller without hanging, and the thread-count setting checked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool, defaultThreadCount } from '../../main/engine/threads/worker-pool';
import { poolTestTask, type PoolTestRequest, type PoolTestResult } from './fixtures/pool-test-task';

const ENTRY = new URL('./fixtures/pool-test-worker.ts', import.meta.url);
const newPool = (size: number) => new WorkerPool<PoolTestRequest, PoolTestResult>(ENTRY, size, poolTestTask);

describe('worker pool', () => {
  test('a TypeScript worker thread answers, and results come back in submission order', async () => {
    const pool = newPool(1);
    const tasks = [1, 2, 3, 4].map((x) => pool.submit({ x }));
    // Awaiting the promises without settling: every task is the worker's.
    const out = await Promise.all(tasks.map((t) => t.promise));
    assert.deepEqual(out.map((r) => r.square), [1, 4, 9, 16]);
    assert.ok(out.every((r) => r.by === 'worker'));
    await pool.close();
  });

  test('settling runs the tasks no worker has begun on the calling thread: each task runs once, both threads work', async () => {
    const pool = newPool(1);
    await pool.submit({ x: 0 }).promise; // the thread is up (it boots in a few hundred ms)
    // Both threads take part whatever the machine's load: a task run here waits until the worker has begun one (the
    // gate), so the worker cannot be starved out by this thread taking all twelve while it waits for a core.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const tasks = Array.from({ length: 12 }, (_, x) => pool.submit({ x, gate }));
    const out = await pool.settle(tasks);
    assert.deepEqual(out.map((r) => r.square), Array.from({ length: 12 }, (_, x) => x * x));
    const here = out.filter((r) => r.by === 'here').length;
    const worker = out.filter((r) => r.by === 'worker').length;
    assert.ok(here > 0 && worker > 0, `here ${here}, worker ${worker}`);
    assert.deepEqual(pool.counts, { here, worker: worker + 1 });
    await pool.close();
  });

  test('with no worker threads every task runs on the settling thread', async () => {
    const pool = newPool(0);
    const out = await pool.settle([pool.submit({ x: 5 }), pool.submit({ x: 6 })]);
    assert.deepEqual(out, [{ square: 25, by: 'here' }, { square: 36, by: 'here' }]);
  });

  test("a task's error reaches the caller with its message, and the pool keeps working", async () => {
    const pool = newPool(1);
    const bad = pool.submit({ x: 7, mode: 'throw' });
    await assert.rejects(bad.promise, /task 7 refused/);
    assert.deepEqual((await pool.settle([pool.submit({ x: 3 })]))[0].square, 9);
    // Thrown on the calling thread too.
    await assert.rejects(newPool(0).settle([newPool(0).submit({ x: 8, mode: 'throw' })]), /task 8 refused/);
    await pool.close();
  });

  test('a worker thread that dies fails the task it was running, and a new worker serves the next ones', async () => {
    const pool = newPool(1);
    const dying = pool.submit({ x: 1, mode: 'exit' });
    await assert.rejects(dying.promise, /exited with code 3/);
    const out = await Promise.all([pool.submit({ x: 2 }), pool.submit({ x: 3 })].map((t) => t.promise));
    assert.deepEqual(out.map((r) => [r.square, r.by]), [[4, 'worker'], [9, 'worker']]);
    await pool.close();
  });

  test('run() computes on a worker thread when there is one, here when there is none', async () => {
    const pool = newPool(1);
    assert.deepEqual(await pool.run({ x: 4 }), { square: 16, by: 'worker' });
    await pool.close();
    assert.deepEqual(await newPool(0).run({ x: 4 }), { square: 16, by: 'here' });
  });

  test('tasks queued behind a task that kills its worker go to a new worker, without anyone settling them', async () => {
    const pool = newPool(1);
    await pool.submit({ x: 0 }).promise;
    const dying = pool.submit({ x: 1, ms: 50, mode: 'exit' });
    const behind = [2, 3].map((x) => pool.submit({ x }));
    await assert.rejects(dying.promise, /exited with code 3/);
    assert.deepEqual((await Promise.all(behind.map((t) => t.promise))).map((r) => [r.square, r.by]), [[4, 'worker'], [9, 'worker']]);
    await pool.close();
  });

  test('DIXW_METRIC_THREADS sets the thread count; nonsense is refused with the fix', () => {
    assert.equal(defaultThreadCount({ DIXW_METRIC_THREADS: '0' }), 0);
    assert.equal(defaultThreadCount({ DIXW_METRIC_THREADS: '3' }), 3);
    const n = defaultThreadCount({});
    assert.ok(n >= 1 && n <= 4);
    assert.throws(() => defaultThreadCount({ DIXW_METRIC_THREADS: 'many' }), /whole number from 0 to 64.*got "many"/s);
  });
});

describe('worker pool without its worker files', () => {
  test('a worker thread that cannot start turns threads off with a warning; every task still runs, here', async () => {
    const warnings: string[] = [];
    let onWarning: (w: Error) => void = () => undefined;
    // The pool says so with a process warning once the thread has failed: wait for that, not for a fixed time.
    const turnedOff = new Promise<void>((resolve) => {
      onWarning = (w: Error) => {
        warnings.push(w.message);
        if (/worker threads are off/.test(w.message)) resolve();
      };
    });
    process.on('warning', onWarning);
    const pool = new WorkerPool<PoolTestRequest, PoolTestResult>(new URL('./fixtures/no-such-worker.ts', import.meta.url), 1, poolTestTask);
    const first = pool.submit({ x: 2 });
    await turnedOff;
    // The task was never claimed, so settling runs it here, as every later one.
    const out = await pool.settle([first, pool.submit({ x: 3 })]);
    process.off('warning', onWarning);
    assert.deepEqual(out, [{ square: 4, by: 'here' }, { square: 9, by: 'here' }]);
    assert.ok(warnings.some((m) => /worker threads are off/.test(m)), warnings.join('\n'));
    await pool.close();
  });
});
