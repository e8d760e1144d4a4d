// The service refuses a job spec whose method or metric options none of its methods or metrics reads, naming who
// reads them, before anything is registered or queued: the same rule for the CLI, the window and HTTP callers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { estimateJob } from '../../main/service/job-estimate';
import { openService, ServiceError } from '../../main/service/index';
import { tempDir } from '../store/helpers';

test('jobs.submit and jobs.estimate refuse an option no selected method reads, naming the methods that read it', async () => {
  const { dir, cleanup } = tempDir('dixw-stray-');
  const svc = openService({ dbPath: join(dir, 'wb.db') });
  try {
    const spec = { kind: 'explain', model: join(dir, 'model'), dataset: join(dir, 'data'), methods: ['dix3', 'gradcam'], samples: 8, maxSigma: 20 };
    const named = (err: unknown) => {
      assert.match(String((err as Error).message), /--samples: read only by smoothgrad, not by this job's methods \(dix3, gradcam\)/);
      assert.match(String((err as Error).message), /--max-sigma: read only by blur-ig/);
      return true;
    };
    await assert.rejects(svc.jobs.submit({ spec }), (err: unknown) => {
      assert.ok(err instanceof ServiceError, String(err));
      assert.equal(err.code, 'invalid-input');
      return named(err);
    });
    await assert.rejects(estimateJob(svc, spec), named);
    assert.deepEqual(await svc.jobs.list({}), [], 'nothing was queued');
  } finally {
    await svc.close();
    cleanup();
  }
});
