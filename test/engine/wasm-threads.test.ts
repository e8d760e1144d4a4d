// The multi-threaded wasm backend in Node (backend/wasm-threads.ts, DIXW_WASM_THREADS): it starts with 2 threads, the
// process still exits by itself (idle pthread workers do not hold it), and it computes the same logits and gradients
// as 1 thread. Each backend runs in its own child process (a process starts the wasm backend once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tsxExecArgv } from '../../main/jobs/worker-launcher';
import { wasmThreadsSetting } from '../../main/engine/backend/wasm-threads';
import { maxAbsDiff } from './helpers';

const CHILD = fileURLToPath(new URL('./fixtures/wasm-threads-child.ts', import.meta.url));

async function run(threads: string): Promise<{ threads: number; detail: string; logits: number[]; grad: number[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, [...tsxExecArgv(), CHILD],
    { env: { ...process.env, DIXW_WASM_THREADS: threads }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

test('DIXW_WASM_THREADS=2 starts the wasm backend with 2 threads and gives the numbers of 1 thread', async () => {
  const [one, two] = await Promise.all([run('1'), run('2')]);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2);
  assert.match(two.detail, /2 threads/);
  assert.ok(maxAbsDiff(two.logits, one.logits) <= 1e-5, `logits differ by ${maxAbsDiff(two.logits, one.logits)}`);
  assert.ok(maxAbsDiff(two.grad, one.grad) <= 1e-6, `gradients differ by ${maxAbsDiff(two.grad, one.grad)}`);
});

test('the DIXW_WASM_THREADS setting', () => {
  assert.equal(wasmThreadsSetting({}), null);
  assert.equal(wasmThreadsSetting({ DIXW_WASM_THREADS: '1' }), null);
  assert.equal(wasmThreadsSetting({ DIXW_WASM_THREADS: '2' }), 2);
  assert.throws(() => wasmThreadsSetting({ DIXW_WASM_THREADS: 'two' }), /positive integer/);
});
