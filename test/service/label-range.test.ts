// Labels against the model's classes when a job is submitted: a labels.csv whose labels are all outside the model's
// classes refuses the job (the data does not belong to the model); some outside is a warning in the job's log.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openService, ServiceError, type WorkbenchService } from '../../main/service/index';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;
let svc: WorkbenchService;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-labels-'));
  data = makeDataset(dir);
  model = await makeModel(dir); // 3 classes
  svc = openService({ dbPath: join(dir, 'wb.db') });
});
after(async () => {
  await svc.close();
  cleanup();
});

/** A flat folder of three images with these labels in labels.csv. */
function flat(name: string, labels: string[]): string {
  const out = join(dir, name);
  mkdirSync(out);
  ['circle/0000.png', 'square/0001.png', 'triangle/0002.png'].forEach((src, i) => copyFileSync(join(data, src), join(out, `${i}.png`)));
  writeFileSync(join(out, 'labels.csv'), `path,label\n${labels.map((l, i) => `${i}.png,${l}`).join('\n')}\n`);
  return out;
}

const explain = (dataset: string) => svc.jobs.submit({ spec: { kind: 'explain', model, dataset, methods: ['gradcam'] } });

test('every label outside the model\'s classes: the job is refused, naming the labels and the fix', async () => {
  const before = (await svc.jobs.list()).length;
  await assert.rejects(explain(flat('all-out', ['3', '7', '9'])), (e: unknown) => {
    assert.ok(e instanceof ServiceError, String(e));
    assert.equal(e.code, 'invalid-input');
    assert.match(e.message, /Every label of the 3 labelled image\(s\) of dataset \d+ .* is outside the model's 3 classes \(0-2\), e\.g\. 0\.png: 3, 1\.png: 7, 2\.png: 9/);
    assert.match(e.hint ?? '', /labels\.csv the model's class indices 0-2/);
    return true;
  });
  assert.equal((await svc.jobs.list()).length, before, 'nothing queued');
});

test('some labels outside: the job is queued with a warning in its log; unlabelled images do not count', async () => {
  const { job } = await explain(flat('some-out', ['0', '7', '']));
  // The log's info lines ("queued: ...") aside.
  const events = (await svc.jobs.show(job.id)).events.filter((e) => e.level !== 'info');
  assert.deepEqual(events.map((e) => [e.level, e.message]), [
    ['warn', "1 of 2 labelled image(s) have a label outside the model's 3 classes (0-2), e.g. 1.png: 7; they run as usual, but their label is none of the model's classes."],
  ]);
  const fine = await explain(flat('in-range', ['0', '1', '2']));
  assert.deepEqual((await svc.jobs.show(fine.job.id)).events.filter((e) => e.level !== 'info'), []);
});
