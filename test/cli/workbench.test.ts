// The workbench through the `dixw` command, in real child processes over real database files: explain as a
// foreground job, reuse of stored maps by a later job, --detach with `dixw worker`, the jobs, dataset and model
// commands, a kill -9 mid-job resumed by `dixw worker`, and bad input met the way a user meets it.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { readNpy } from '../../main/engine/data/npy';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../main/store/index';
import { hasStackTrace, runCli, spawnCli, type CliResult } from '../helpers/run-cli';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-workbench-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

/** `dixw ARGS --db DIR/NAME.db`, expecting `status`. */
function dixw(db: string, args: string[], status = 0): CliResult {
  const r = runCli([...args, '--db', join(dir, `${db}.db`)]);
  assert.equal(r.status, status, `dixw ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), `stack trace from dixw ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

const json = (r: CliResult) => JSON.parse(r.stdout);

test('explain runs as a foreground job; a second job adding a method reuses the first one\'s maps and says how many', () => {
  const first = json(dixw('reuse', ['explain', '--model', model, '--data', data, '--methods', 'dix3,gradcam', '--limit', '4', '--json']));
  assert.equal(first.state, 'done');
  assert.equal(first.images.length, 4);
  assert.deepEqual([first.mapsComputed, first.mapsReused], [8, 0]);
  const second = dixw('reuse', ['explain', '--model', model, '--data', data, '--methods', 'dix3,dix1', '--limit', '4']);
  assert.match(second.stdout, /^dix3 +all reused +layers block1_pool,block2_pool,block3_pool {2}N=10$/m);
  assert.match(second.stdout, /^dix1 +median [\d.]+ ms\/image/m);
  assert.match(second.stdout, /^maps: 4 computed, 4 reused from earlier jobs$/m);
  const jobs = json(dixw('reuse', ['jobs', 'list', '--json']));
  assert.deepEqual(jobs.map((j: { id: number; state: string; mapsReused: number }) => [j.id, j.state, j.mapsReused]), [[2, 'done', 4], [1, 'done', 0]]);
  assert.match(dixw('reuse', ['jobs', 'show', '2']).stdout, /maps {6}4 computed, 4 reused; 4 image\(s\) explained, 0 skipped/);
});

test('the batch size is a run setting: a map computed in batches of 2 is reused by a job that batches 10, with the same values', () => {
  const out = (name: string) => join(dir, `batch-${name}`);
  const first = json(dixw('batch', ['explain', '--model', model, '--data', data, '--methods', 'ig,dix2', '--limit', '2', '--batch-size', '2', '--npy', out('2'), '--json']));
  assert.deepEqual([first.mapsComputed, first.mapsReused], [4, 0]);
  const second = json(dixw('batch', ['explain', '--model', model, '--data', data, '--methods', 'ig,dix2', '--limit', '2', '--batch-size', '10', '--npy', out('10'), '--json']));
  assert.deepEqual([second.mapsComputed, second.mapsReused], [0, 4], 'maps of the first job are reused, not recomputed');
  // The maps themselves do not depend on the batch: computed fresh with batches of 10, they equal the stored ones.
  const fresh = json(dixw('batch-fresh', ['explain', '--model', model, '--data', data, '--methods', 'ig,dix2', '--limit', '2', '--batch-size', '10', '--npy', out('fresh'), '--json']));
  assert.deepEqual([fresh.mapsComputed, fresh.mapsReused], [4, 0]);
  for (const method of ['ig', 'dix2']) {
    const files = readdirSync(join(out('2'), method), { recursive: true }).map(String).filter((f) => f.endsWith('.npy'));
    assert.equal(files.length, 2);
    for (const f of files) {
      const [a, b] = [readNpy(join(out('2'), method, f)), readNpy(join(out('fresh'), method, f))];
      let d = 0;
      let scale = 0;
      for (let i = 0; i < a.data.length; i++) {
        d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
        scale = Math.max(scale, Math.abs(b.data[i]));
      }
      assert.ok(d <= 1e-5 * Math.max(1, scale), `${method} ${f}: batches of 2 and 10 differ by ${d}`);
    }
  }
});

test('dataset and model commands: add prints the id, list and show; re-adding a changed folder says what changed', () => {
  const copy = join(dir, 'data-changing');
  cpSync(data, copy, { recursive: true });
  const added = dixw('records', ['dataset', 'add', copy, '--name', 'changing']);
  assert.equal(added.stdout.trim(), '1');
  assert.match(added.stderr, /dataset 1 "changing": 24 images in 3 classes, registered from /);
  assert.match(dixw('records', ['dataset', 'add', copy]).stderr, /dataset 1 "changing": 24 images, unchanged/);
  unlinkSync(join(copy, 'triangle', '0002.png'));
  copyFileSync(join(copy, 'square', '0001.png'), join(copy, 'square', 'new.png'));
  copyFileSync(join(copy, 'square', '0001.png'), join(copy, 'circle', '0000.png'));
  assert.match(dixw('records', ['dataset', 'add', copy]).stderr,
    /the folder changed since it was registered \(1 images added, 1 removed, 1 changed\); re-indexed, now 24 images/);
  assert.match(dixw('records', ['dataset', 'list']).stdout, /^1 +changing +24 +3 +[0-9a-f]{12} +.*data-changing$/m);
  assert.match(dixw('records', ['dataset', 'show', '1']).stdout, /classes +circle 8, square 9, triangle 7/);

  assert.equal(dixw('records', ['model', 'add', model, '--name', 'tiny']).stdout.trim(), '1');
  assert.match(dixw('records', ['model', 'list']).stdout, /^1 +tiny +- +[0-9a-f]{12} +.*model$/m);
  const shown = dixw('records', ['model', 'show', '1']).stdout;
  assert.match(shown, /input +24x24x3/);
  assert.match(shown, /defaults +L = block3_pool, L-1 = block2_pool, L-2 = block1_pool/);
  assert.match(dixw('records', ['model', 'show', '7'], 1).stderr, /There is no model with id 7/);
  dixw('records', ['model', 'rm', '1']);
  assert.match(dixw('records', ['model', 'list']).stdout, /no models registered/);
});

test('--detach only queues; pause, resume, rm refused while in use; dixw worker runs explain and train jobs', () => {
  const queued = dixw('detach', ['explain', '--model', model, '--data', data, '--methods', 'ig', '--limit', '3', '--detach']);
  assert.match(queued.stdout, /^queued job 1: 3 image\(s\) x 1 method\(s\)/);
  const train = dixw('detach', ['train', '--data', '1', '--arch', 'small-cnn', '--epochs', '1', '--width', '0.25', '--out', join(dir, 'trained'), '--detach']);
  assert.match(train.stdout, /^queued job 2: train small-cnn/);
  assert.match(dixw('detach', ['dataset', 'rm', '1'], 1).stderr, /Dataset 1 is used by unfinished jobs 1, 2; cancel or remove them first/);
  assert.match(dixw('detach', ['model', 'rm', '1'], 1).stderr, /Model 1 is used by unfinished job 1/);
  assert.match(dixw('detach', ['jobs', 'pause', '1']).stdout, /job 1: paused/);
  const worker1 = dixw('detach', ['worker', '--until-idle']);
  assert.match(worker1.stdout, /job 2: registered model 2 \(.*trained\)/);
  assert.doesNotMatch(worker1.stdout, /job 1:/);
  assert.match(dixw('detach', ['jobs', 'resume', '1']).stdout, /job 1: queued/);
  const worker2 = dixw('detach', ['worker', '--until-idle']);
  assert.match(worker2.stdout, /job 1: started, 3 item\(s\)[\s\S]*job 1: done/);
  const jobs = json(dixw('detach', ['jobs', 'list', '--json']));
  assert.deepEqual(jobs.map((j: { state: string }) => j.state), ['done', 'done']);
  assert.match(dixw('detach', ['model', 'list']).stdout, /^2 +trained +small-cnn /m);
  assert.match(dixw('detach', ['jobs', 'cancel', '1'], 1).stderr, /Job 1 is done; cancel works on queued or running or paused jobs/);
  assert.match(dixw('detach', ['jobs', 'rm', '1']).stdout, /removed job 1 and its results \(3 map\(s\) no other job used\)/);
  dixw('detach', ['dataset', 'rm', '1']);
});

test('kill -9 of the command mid-job, then dixw worker resumes it without redoing committed items', async () => {
  const db = join(dir, 'crash.db');
  const child = spawnCli(['explain', '--model', model, '--data', data, '--methods', 'dix3,ig', '--steps', '200', '--limit', '12', '--db', db]);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const before = await waitForCommits(db, 3, 600_000); // the limit is a safety net, not a speed bound
  child.kill('SIGKILL');
  await exited;
  const store = openStore({ path: db, readonly: true });
  try {
    const done = store.prepare("SELECT id, finished_at, attempts FROM items WHERE job_id = 1 AND state = 'done'").all() as { id: number; finished_at: string; attempts: number }[];
    assert.ok(done.length >= before && done.length < 12, `${done.length} items done when killed`);
    const r = runCli(['worker', '--until-idle', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`job 1: resumed at ${done.length}/12`));
    const job = store.prepare('SELECT state, items_done FROM jobs WHERE id = 1').get() as { state: string; items_done: number };
    assert.deepEqual(job, { state: 'done', items_done: 12 });
    for (const item of done) {
      assert.deepEqual(store.prepare('SELECT finished_at, attempts FROM items WHERE id = ?').get(item.id), { finished_at: item.finished_at, attempts: 1 }, `item ${item.id} ran again`);
    }
    const links = store.prepare('SELECT count(*) AS n, count(DISTINCT map_id) AS maps FROM item_maps').get();
    assert.deepEqual(links, { n: 24, maps: 24 });
    assert.deepEqual(store.integrityCheck(), ['ok']);
  } finally {
    store.close();
  }
});

/** Polls the database (read-only, as a concurrent reader) until job 1 has `n` committed items. */
async function waitForCommits(db: string, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const store = openStore({ path: db, readonly: true });
      try {
        const row = store.prepare('SELECT items_done FROM jobs WHERE id = 1').get() as { items_done: number } | undefined;
        if (row && row.items_done >= n) return row.items_done;
      } finally {
        store.close();
      }
    } catch {
      // not created or not migrated yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job 1 did not commit ${n} items within ${timeoutMs} ms`);
}

test('bad input: not a database, a vanished dataset folder, a changed model, unknown spec fields; other results intact', () => {
  const notDb = join(dir, 'notes.db');
  writeFileSync(notDb, 'my lab notes, not a database\n');
  const r = runCli(['jobs', 'list', '--db', notDb]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /notes\.db is not a DIX Workbench database: it is not an SQLite file at all .*Nothing was changed/);
  assert.ok(!hasStackTrace(r.stderr));
  assert.equal(readFileSync(notDb, 'utf8'), 'my lab notes, not a database\n');

  const good = json(dixw('bad', ['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--limit', '2', '--json']));
  const gone = join(dir, 'data-gone');
  cpSync(data, gone, { recursive: true });
  assert.match(dixw('bad', ['explain', '--model', model, '--data', gone, '--methods', 'gradcam', '--detach']).stdout, /^queued job 2:/);
  rmSync(gone, { recursive: true });
  assert.match(dixw('bad', ['worker', '--until-idle']).stdout, /job 2: failed: the job could not start: The folder of dataset 2 \(.*data-gone\) vanished: .* no longer exists/);

  const changed = join(dir, 'model-changed');
  cpSync(model, changed, { recursive: true });
  const id = dixw('bad', ['model', 'add', changed]).stdout.trim();
  const weights = readFileSync(join(changed, 'weights.bin'));
  weights[0] ^= 0xff;
  writeFileSync(join(changed, 'weights.bin'), weights);
  const failed = dixw('bad', ['explain', '--model', id, '--data', data, '--methods', 'gradcam', '--limit', '2'], 1);
  assert.match(failed.stderr, new RegExp(`job 3 failed: the job could not start: The files of model ${id} \\(.*model-changed\\) changed since it was registered \\(content hash [0-9a-f]{12} then, [0-9a-f]{12} now\\)`));
  assert.match(failed.stderr, /register it again with "dixw model add .*model-changed"/);

  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({ kind: 'explain', model: '1', dataset: '1', methods: ['dix3'], stepz: 10, keepMaps: 'some' }));
  assert.match(dixw('bad', ['jobs', 'submit', spec], 1).stderr, /Invalid job spec: explain spec field keepMaps: keepMaps must be a number of images, "all" or "none"; explain spec: unknown field "stepz" \(allowed: kind, model, dataset, methods/);

  const jobs = json(dixw('bad', ['jobs', 'list', '--json']));
  assert.deepEqual(jobs.map((j: { id: number; state: string }) => [j.id, j.state]), [[3, 'failed'], [2, 'failed'], [1, 'done']]);
  assert.match(dixw('bad', ['jobs', 'show', String(good.jobId)]).stdout, /maps {6}2 computed, 0 reused; 2 image\(s\) explained/);
});
