// The persisted queue without a worker: enqueue, claim order and leases, and the user's verbs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { JobSpecError } from '../../shared/job-spec';
import { cancelJob, enqueueJob, epochItems, imageItems, pauseJob, removeJob, resumeJob, retryJob, staleRunnerTest, stepImageItems } from '../../main/jobs/index';
import { addDataset, claimNextJob, countItems, getJob, listItems, markItemFailed, markItemRunning, nextPendingItem, StoreError } from '../../main/store/index';
import { sumItems, tempStore, TEST_SPEC } from '../store/helpers';

const provenance = { appVersion: 'test', node: process.version, platform: process.platform, arch: process.arch, backend: null };
const never = () => false;

test('enqueue validates the spec and stores the job with its items in order', () => {
  const { store, close } = tempStore();
  try {
    const job = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(3), priority: 2 });
    assert.equal(job.state, 'queued');
    assert.equal(job.itemsTotal, 3);
    assert.equal(job.progress, 0);
    assert.deepEqual(job.spec, { ...TEST_SPEC, keepMaps: 'all' });
    assert.deepEqual(listItems(store, job.id).map((i) => [i.key, i.ordinal, i.state]), [['n:0', 0, 'pending'], ['n:1', 1, 'pending'], ['n:2', 2, 'pending']]);
    assert.throws(() => enqueueJob(store, { spec: { ...TEST_SPEC, bogus: 1 }, items: [] }), (e: unknown) => e instanceof JobSpecError && /unknown field "bogus"/.test(e.message));
    assert.throws(() => enqueueJob(store, { spec: TEST_SPEC, items: [...sumItems(2), ...sumItems(1)] }), /"n:0" appears twice/);
    assert.equal(enqueueJob(store, { spec: TEST_SPEC, items: [], paused: true }).state, 'paused');
  } finally {
    close();
  }
});

test('claim order: an interrupted running job first, then priority, then FIFO', () => {
  const { store, close } = tempStore();
  try {
    const low1 = enqueueJob(store, { spec: TEST_SPEC, items: [] }).id;
    const high = enqueueJob(store, { spec: TEST_SPEC, items: [], priority: 5 }).id;
    const low2 = enqueueJob(store, { spec: TEST_SPEC, items: [] }).id;
    const order: number[] = [];
    for (let i = 0; i < 3; i++) {
      const j = claimNextJob(store, `me|${process.pid}|${i}`, never, provenance)!;
      assert.equal(j.state, 'running');
      order.push(j.id);
    }
    assert.deepEqual(order, [high, low1, low2]);
    assert.equal(claimNextJob(store, 'other|1|x', never, provenance), undefined, 'all leased to live runners');
    // A runner that is gone: its running job is resumed before any queued one.
    const queued = enqueueJob(store, { spec: TEST_SPEC, items: [], priority: 100 }).id;
    const resumed = claimNextJob(store, 'new|1|y', (runner) => runner.endsWith('|1'), provenance)!;
    assert.equal(resumed.id, low1);
    assert.equal(resumed.runner, 'new|1|y');
    assert.equal(claimNextJob(store, 'third|1|z', never, provenance)?.id, queued);
  } finally {
    close();
  }
});

test('stale leases: a dead process on this host, or a heartbeat older than the lease', () => {
  const isStale = staleRunnerTest(1000);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const here = hostname();
  assert.equal(isStale(`${here}|${dead}|a`, Date.now()), true);
  assert.equal(isStale(`${here}|${process.pid}|a`, Date.now()), false);
  assert.equal(isStale(`${here}|${process.pid}|a`, Date.now() - 5000), true);
  assert.equal(isStale(`elsewhere|${process.pid}|a`, Date.now()), false);
});

test('pause, resume, cancel, retry and rm follow the state rules with clear refusals', () => {
  const { store, close } = tempStore();
  try {
    const id = enqueueJob(store, { spec: TEST_SPEC, items: sumItems(3) }).id;
    assert.equal(pauseJob(store, id).state, 'paused');
    assert.throws(() => pauseJob(store, id), (e: unknown) => e instanceof StoreError && e.code === 'illegal-transition' && /Job 1 is paused; pause works on queued or running jobs/.test(e.message));
    assert.equal(resumeJob(store, id).state, 'queued');
    assert.throws(() => retryJob(store, id), /retry works on failed or cancelled jobs/);

    // Running, an item fails: retry resets the unfinished items and clears the error.
    claimNextJob(store, 'r|1|a', never, provenance);
    assert.throws(() => removeJob(store, id), /rm works on queued or paused or done or failed or cancelled jobs/);
    const first = markItemRunning(store, nextPendingItem(store, id)!.id);
    markItemFailed(store, first.id, 'boom');
    store.prepare("UPDATE jobs SET state = 'failed', error = 'boom', runner = NULL WHERE id = ?").run(id);
    const retried = retryJob(store, id);
    assert.equal(retried.state, 'queued');
    assert.equal(retried.error, null);
    assert.deepEqual(countItems(store, id), { pending: 3, running: 0, done: 0, failed: 0 });

    assert.equal(cancelJob(store, id).state, 'cancelled');
    assert.ok(getJob(store, id)?.finishedAt);
    assert.deepEqual(removeJob(store, id), { mapsDeleted: 0 });
    assert.equal(getJob(store, id), undefined);
    assert.throws(() => cancelJob(store, id), (e: unknown) => e instanceof StoreError && e.code === 'not-found');
  } finally {
    close();
  }
});

test('item planning: images, step x image (step-major) and epochs get stable keys and self-contained payloads', () => {
  const { store, close } = tempStore();
  try {
    const d = addDataset(store, {
      name: 'd',
      root: '/data/d',
      contentHash: 'h',
      classes: ['a'],
      images: [
        { relPath: 'a/1.png', contentHash: 'x1', label: 0, maskPath: 'm/1.png' },
        { relPath: 'a/2.png', contentHash: 'x2', label: 0 },
        { relPath: 'a/3.png', contentHash: 'x3', label: 0 },
      ],
    });
    const items = imageItems(store, d.id, 2);
    assert.equal(items.length, 2);
    assert.match(items[0].key, /^image:\d+$/);
    assert.deepEqual(items[0].payload, { imageId: Number(items[0].key.slice(6)), path: '/data/d/a/1.png', relPath: 'a/1.png', hash: 'x1', label: 0, maskPath: '/data/d/m/1.png' });
    const steps = stepImageItems(store, d.id, 2, 2);
    assert.deepEqual(steps.map((s) => s.key.replace(/\d+$/, '#')), ['step:0/image:#', 'step:0/image:#', 'step:1/image:#', 'step:1/image:#']);
    assert.deepEqual(epochItems(2), [{ key: 'epoch:1', payload: { epoch: 1 } }, { key: 'epoch:2', payload: { epoch: 2 } }]);
  } finally {
    close();
  }
});
