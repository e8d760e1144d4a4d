// Output folders are checked when a job is submitted: a folder no job could write is refused with the reason, before
// anything is queued (a train job with its folder under /proc used to loop for ever in mkdir and hold the queue), and
// a train job does not replace a model already in its folder unless asked to.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkOutputFile } from '../../main/service/output-paths';
import { openService, ServiceError, type WorkbenchService } from '../../main/service/index';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;
let svc: WorkbenchService;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-outputs-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
  svc = openService({ dbPath: join(dir, 'wb.db') });
});
after(async () => {
  await svc.close();
  cleanup();
});

const train = (out: string, extra: Record<string, unknown> = {}) =>
  svc.jobs.submit({ spec: { kind: 'train', dataset: data, arch: 'small-cnn', epochs: 1, seed: 0, out, ...extra } });

async function refused(p: Promise<unknown>, message: RegExp, hint: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
    assert.equal(e.code, 'unusable-input', e.message);
    assert.match(e.message, message);
    assert.match(e.hint ?? '', hint);
    return true;
  });
}

test('a train folder under /proc, under a missing folder, or in place of a file is refused before queueing', async (t) => {
  const before = (await svc.jobs.list()).length;
  if (process.platform === 'linux') {
    await refused(train('/proc/dixw-model'), /The output folder \/proc\/dixw-model \(--out\) cannot be written: no file can be created in \/proc/, /writable disk/);
  } else {
    t.diagnostic('no /proc here');
  }
  await refused(train(join(dir, 'missing', 'model')), /its parent folder .*missing does not exist/, /Create .*missing first/);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  await refused(train(file), /a-file \(--out\) is a file, not a folder/, /nothing is written over a file/);
  await refused(train(join(file, 'model')), /cannot be made: .*a-file is a file, not a folder/, /another folder/);
  assert.equal((await svc.jobs.list()).length, before, 'nothing was queued');
});

test('train onto a folder holding a model is refused unless overwrite (the CLI\'s --force) is given', async () => {
  await refused(train(model), /already holds a model \(model\.json\); training would replace it/, /--force/);
  const { job } = await train(model, { overwrite: true });
  assert.equal(job.state, 'queued');
  // A new folder, or an existing one without a model, is fine.
  assert.equal((await train(join(dir, 'new-model'))).job.state, 'queued');
  mkdirSync(join(dir, 'empty-folder'));
  assert.equal((await train(join(dir, 'empty-folder'))).job.state, 'queued');
});

test("the workbench's own models folder (the window's default, beside the database) is made on first use", async () => {
  const { job } = await train(join(dir, 'models', 'small-cnn-seed0'));
  assert.equal(job.state, 'queued');
  assert.equal(job.spec.kind === 'train' && job.spec.out, join(dir, 'models', 'small-cnn-seed0'));
});

test('explain --npy/--png and sanity --npy folders: the parent must exist', async () => {
  const explain = (exp: Record<string, unknown>) => svc.jobs.submit({ spec: { kind: 'explain', model, dataset: data, methods: ['gradcam'], limit: 1, export: exp } });
  await refused(explain({ npy: join(dir, 'nowhere', 'maps') }), /\(--npy\) cannot be made: its parent folder .*nowhere does not exist/, /Create/);
  await refused(explain({ png: join(dir, 'nowhere', 'overlays') }), /\(--png\) cannot be made/, /Create/);
  assert.equal((await explain({ npy: join(dir, 'maps'), png: join(dir, 'overlays') })).job.state, 'queued');
  const sanity = { kind: 'sanity', test: 'cascading', model, dataset: data, methods: ['gradcam'], limit: 1 };
  await refused(svc.jobs.submit({ spec: { ...sanity, export: { npy: join(dir, 'nowhere', 'sanity') } } }), /\(--npy\) cannot be made/, /Create/);
});

test('an exported file: its folder must exist (it is not created silently), and the path must not be a folder', () => {
  assert.throws(() => checkOutputFile(join(dir, 'figs', 'a.pdf'), '--out'), (e: ServiceError) => {
    assert.match(e.message, /Cannot write .*a\.pdf \(--out\): the folder .*figs does not exist/);
    assert.match(e.hint ?? '', /Create it first \(mkdir -p ".*figs"\)/);
    return true;
  });
  assert.throws(() => checkOutputFile(dir, '--out'), /is a folder; a file path is needed/);
  if (process.platform === 'linux') assert.throws(() => checkOutputFile('/proc/a.pdf', '--out'), /no file can be created in \/proc/);
  checkOutputFile(join(dir, 'a.pdf'), '--out');
});
