// What a person watching a job reads (the CLI's bar and the window's queue take it from these service events): items
// named by their image file, not "image:17"; training progress as epochs with the accuracy reached. Real SQLite
// file, real worker process, real training.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openService } from '../../main/service/index';
import { itemName } from '../../main/service/item-names';
import type { ServiceEvent } from '../../shared/service-api';
import { trainProgressNote } from '../../shared/train-progress-note';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-progress-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

test('items are named by file (with the step), the training items by what they do; epochs read "epoch 3/60, acc 0.87"', () => {
  assert.equal(itemName('image:17', { imageId: 17, relPath: 'coat/0003.png' }), 'coat/0003.png');
  assert.equal(itemName('step:2/image:4', { step: 2, relPath: 'bag/1.png' }), 'bag/1.png (step 2)');
  assert.equal(itemName('train-pair', {}), 'training the true- and random-label models');
  assert.equal(itemName('odd', null), 'odd');
  assert.equal(trainProgressNote({ epoch: 12, epochs: 60, loss: 0.41234, accuracy: 0.8712 }), 'epoch 12/60, acc 0.87, loss 0.412');
  assert.equal(trainProgressNote({ epoch: 1, epochs: 60, loss: 2.3, accuracy: null }), 'epoch 1/60, loss 2.300');
});

test('an explain job commits items named by image path; a train job reports each epoch with its accuracy', async () => {
  const svc = openService({ dbPath: join(dir, 'progress.db') });
  const events: ServiceEvent[] = [];
  const off = svc.on((e) => void events.push(e));
  try {
    const runner = svc.runJobs({ pollMs: 50 });
    try {
      const explain = (await svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam'], limit: 3 } })).job;
      runner.wake();
      assert.equal((await runner.waitForJob(explain.id)).state, 'done');
      const committed = events.filter((e) => e.type === 'item-committed' && e.jobId === explain.id).map((e) => (e as { itemName?: string }).itemName);
      assert.deepEqual(committed.sort(), ['circle/0000.png', 'square/0001.png', 'triangle/0002.png']);

      const train = (await svc.jobs.submit({ spec: { kind: 'train', dataset: data, arch: 'small-cnn', epochs: 3, width: 0.25, seed: 1, out: join(dir, 'trained') } })).job;
      runner.wake();
      assert.equal((await runner.waitForJob(train.id)).state, 'done');
      const notes = events.filter((e) => e.type === 'item-progress' && e.jobId === train.id).map((e) => (e as { note?: string }).note ?? '');
      for (const epoch of [1, 2, 3]) {
        assert.ok(notes.some((n) => new RegExp(`^epoch ${epoch}/3, acc [01]\\.\\d\\d, loss \\d+\\.\\d{3}$`).test(n)), `epoch ${epoch} with its accuracy in: ${notes.join(' | ')}`);
      }
      const progress = events.find((e) => e.type === 'item-progress' && e.jobId === train.id) as { itemName?: string } | undefined;
      assert.equal(progress?.itemName, 'training');
      // The job's log says when it was queued, started and finished, for a train job as for any other.
      const log = (await svc.jobs.show(train.id)).events.map((e) => e.message);
      for (const re of [/^queued: 1 item\(s\) of dataset \d+/, /^started: 1 item\(s\)$/, /^done: 1 of 1 item\(s\) in \d+\.\d s$/]) {
        assert.ok(log.some((m) => re.test(m)), `${re} in the log: ${log.join(' | ')}`);
      }
    } finally {
      await runner.stop();
    }
  } finally {
    off();
    await svc.close();
  }
});
