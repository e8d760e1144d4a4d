// The foreground job of `dixw explain`, `train`, `sanity` and `metrics` when the database refuses the job's writes:
// the scheduler reports it and backs off to retry (right for the app and `dixw worker`); the command must not wait
// silently with the job still marked running, but say why and exit with status 1.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CliExit } from '../../main/cli/command';
import { runInForeground } from '../../main/cli/foreground-job';
import { enqueueJob } from '../../main/jobs/queue';
import { openService } from '../../main/service/index';
import { getJob } from '../../main/store/index';
import { toStoreError } from '../../main/store/store-error';
import { sumItems, tempDir, TEST_SPEC } from '../store/helpers';

const SUM = fileURLToPath(new URL('../jobs/fixtures/sum-executor.ts', import.meta.url));

test('a database whose disk is full from the first write: the command says so and exits 1, the job stays resumable', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = tempDir('dixw-foreground-');
  t.after(cleanup);
  const service = openService({ dbPath: join(dir, 'wb.db'), executorPath: SUM });
  t.after(() => service.close());
  const job = enqueueJob(service.store, { spec: TEST_SPEC, items: sumItems(3) });
  // What better-sqlite3 throws when SQLite cannot grow the file or its journal: every transaction from now on fails,
  // so the scheduler cannot even claim the job, let alone record that it failed.
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  service.store.transaction = () => {
    throw toStoreError(full, service.store.path);
  };
  await assert.rejects(runInForeground(service, job.id, { label: 'test', quiet: true, progress: 'items' }), (e: unknown) => {
    assert.ok(e instanceof CliExit, String(e));
    assert.equal(e.status, 1);
    assert.match(e.message, /^job 1 cannot go on: cannot read the queue: The disk holding the database .*wb\.db is full \(database or disk is full\)\. Free some space/);
    assert.match(e.message, /resumes it at its first uncommitted item/);
    return true;
  });
  assert.equal(getJob(service.store, job.id)?.state, 'queued', 'nothing was lost: the job is still there to resume');
});
