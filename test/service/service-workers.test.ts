// The worker count is an explicit option of openService (not an environment variable): a number, `auto` (the job
// system's default for this machine), or a bad value refused with what to type instead.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultWorkerCount } from '../../main/jobs/worker-count';
import { openService, ServiceError } from '../../main/service/index';
import { tempDir } from '../store/helpers';

test('openService takes workers as a count or auto, and reports the count it will use', async () => {
  const { dir, cleanup } = tempDir('dixw-workers-');
  try {
    const envBefore = process.env.DIXW_WORKERS;
    const two = openService({ dbPath: join(dir, 'wb.db'), workers: '2' });
    assert.equal(two.workers, 2);
    await two.close();
    const auto = openService({ dbPath: join(dir, 'wb.db'), workers: 'auto' });
    assert.equal(auto.workers, defaultWorkerCount());
    await auto.close();
    const unset = openService({ dbPath: join(dir, 'wb.db') });
    assert.equal(unset.workers, undefined, 'no option: the scheduler keeps its own default');
    await unset.close();
    assert.equal(process.env.DIXW_WORKERS, envBefore, 'the count does not travel through the environment');
  } finally {
    cleanup();
  }
});

test('a bad worker count is refused with the fix, before the database is opened', () => {
  const { dir, cleanup } = tempDir('dixw-workers-');
  try {
    assert.throws(() => openService({ dbPath: join(dir, 'wb.db'), workers: 'many' }), (err: unknown) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(err.code, 'invalid-input');
      assert.match(err.message, /--workers must be a positive integer or "auto" \(got "many"\)/);
      assert.match(err.hint ?? '', /--workers 2/);
      return true;
    });
  } finally {
    cleanup();
  }
});
