// A bad --layers is refused before a job is queued, as a bad method is, by every command that takes cut points:
// the real dixw against a real model folder and database; the database holds no job afterwards.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasStackTrace, runCli } from '../helpers/run-cli';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-layers-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

test('explain, metrics, ablate and sanity refuse an unknown cut point, name the valid ones, and queue nothing', () => {
  const db = join(dir, 'layers.db');
  const common = ['--model', model, '--data', data, '--db', db];
  const runs: Array<[string, string[]]> = [
    ['explain', ['explain', ...common, '--methods', 'dix3', '--layers', 'block9_pool']],
    ['metrics', ['metrics', ...common, '--methods', 'dix3', '--metrics', 'adp', '--layers', 'block2_pool,block9_pool']],
    ['ablate', ['ablate', ...common, '--methods', 'dix1', '--metrics', 'adp', '--layer-sets', 'block9_pool']],
    ['sanity cascading', ['sanity', 'cascading', ...common, '--method', 'dix3', '--layers', 'block9_pool']],
  ];
  for (const [command, args] of runs) {
    const r = runCli(args);
    assert.equal(r.status, 1, `${command}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^dixw ${command}: "block9_pool" is not a cut point of model \\d+ \\(model\\); nothing was queued\\.`), command);
    assert.match(r.stderr, /Its cut points: .*block2_pool/, command);
    assert.doesNotMatch(r.stderr, new RegExp(`dixw ${command}: dixw`), command);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  }
  const jobs = runCli(['jobs', 'list', '--json', '--db', db]);
  assert.equal(jobs.status, 0, jobs.stderr);
  assert.deepEqual(JSON.parse(jobs.stdout), []);
  // A valid cut point passes the check and queues the job.
  const ok = runCli(['explain', ...common, '--methods', 'gradcam', '--layers', 'block2_pool', '--limit', '1', '--detach']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /queued job 1/);
});
