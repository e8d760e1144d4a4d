// Sanity tests as jobs (issue 4): a cascading job on a tiny model end to end through the store and real worker
// processes (step 0 similarity 1 under every measure, per-step summaries from the stored rows, same seed same
// numbers), `dixw sanity` with --json and --npy, `dixw export figure` (png, svg, pdf) and `export table` (csv,
// latex, json), and a data randomization job whose epoch budget is too small failing with a clear message.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openService } from '../../main/service/index';
import { listSimilarities } from '../../main/store/index';
import type { SanityJobSummary } from '../../shared/service-api';
import { readNpy } from '../../main/engine/data/npy';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel, FIXTURE_SIZE } from '../helpers/workbench-fixtures';
import { hasStackTrace, runCli } from '../helpers/run-cli';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-sanity-jobs-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

const spec = () => ({ kind: 'sanity', test: 'cascading', model, dataset: data, methods: ['dix3', 'gradcam'], perClass: 1, seed: 3, keepMaps: 1 });

test('a cascading job runs end to end through the store, reproducibly', async () => {
  const svc = openService({ dbPath: join(dir, 'jobs.db') });
  try {
    const a = await svc.jobs.submit({ spec: spec() });
    const b = await svc.jobs.submit({ spec: spec() });
    assert.equal(a.job.itemsTotal, 3, 'one item per image');
    const runner = svc.runJobs({ pollMs: 50 });
    try {
      assert.equal((await runner.waitForJob(a.job.id)).state, 'done');
      assert.equal((await runner.waitForJob(b.job.id)).state, 'done');
    } finally {
      await runner.stop();
    }
    const rows = listSimilarities(svc.store, { jobId: a.job.id });
    const s = (await svc.results.summary(a.job.id)) as SanityJobSummary;
    assert.equal(s.kind, 'sanity');
    assert.equal(s.steps[0].label, 'trained');
    assert.equal(s.steps[1].label, 'logits', 'randomized from the top');
    assert.deepEqual(s.steps[2].layers, [s.steps[1].label, s.steps[2].label], 'cascading: layers accumulate');
    const stepsTimesImages = s.steps.length * 3 * 2;
    assert.equal(rows.length, stepsTimesImages * s.measures.length);
    for (const r of rows.filter((x) => x.step === 0 && x.value !== null)) assert.ok(Math.abs(r.value! - 1) < 1e-6, `${r.method} ${r.measure} at step 0: ${r.value}`);
    const r = rows.find((x) => x.step === 2)!;
    assert.equal(r.layer, s.steps[2].label);
    assert.deepEqual((r.provenance.params as { measure: unknown }).measure, { id: r.measure, version: 1 });
    assert.equal(r.provenance.seed, 3);
    assert.equal(r.provenance.id, r.method);
    for (const x of s.summaries.filter((y) => y.step === 0 && y.mean !== null)) assert.ok(Math.abs(x.mean! - 1) < 1e-6);
    const spear = s.summaries.find((x) => x.step === 1 && x.method === 'dix3' && x.measure === 'spearman-abs')!;
    assert.equal(spear.n, 3);
    assert.ok(spear.ci95 && spear.ci95[0] <= spear.mean! && spear.mean! <= spear.ci95[1]);
    // Maps of the kept image only (keepMaps 1), one per step and method, with the randomization in their provenance.
    const maps = await svc.results.maps({ jobId: a.job.id });
    assert.equal(maps.length, s.steps.length * 2);
    assert.ok(maps.some((m) => (m.provenance.params as { randomization?: { step: number } }).randomization?.step === s.steps.length - 1));
    // Same seed, same numbers.
    const again = (await svc.results.summary(b.job.id)) as SanityJobSummary;
    assert.deepEqual(again.summaries, s.summaries);
    const charts = await import('../../main/service/result-charts').then((m) => m.jobCharts(svc, a.job.id));
    assert.ok(charts.some((c) => c.id === 'sanity-cascading-spearman-abs'));
  } finally {
    await svc.close();
  }
});

test('dixw sanity --json --npy, then export figure (png, svg, pdf) and table (csv, latex, json)', () => {
  const db = join(dir, 'cli.db');
  const npy = join(dir, 'npy');
  const r = runCli(['sanity', 'independent', '--model', model, '--data', data, '--method', 'dix3', '--limit', '2', '--seed', '1', '--keep-maps', '1',
    '--measures', 'spearman-abs,pearson', '--npy', npy, '--json', '--db', db, '--backend', 'wasm']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as SanityJobSummary;
  assert.equal(s.test, 'independent');
  assert.deepEqual(s.measures.sort(), ['pearson', 'spearman-abs']);
  assert.equal(s.dataset.images, 2);
  assert.ok(s.steps.slice(1).every((st) => st.layers.length === 1 && st.layers[0] === st.label), 'independent: one layer per step');
  const firstImage = 'circle/0000';
  const step0 = readNpy(join(npy, 'dix3', 'step-0', `${firstImage}.npy`));
  assert.deepEqual(step0.shape, [FIXTURE_SIZE, FIXTURE_SIZE]);
  assert.ok(existsSync(join(npy, 'dix3', `step-${s.steps.length - 1}`, `${firstImage}.npy`)));
  assert.ok(existsSync(join(npy, 'sanity.json')));

  const exp = (args: string[]) => runCli(['export', ...args, '--job', String(s.jobId), '--db', db]);
  const magic: Record<string, (b: Buffer) => boolean> = {
    png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    svg: (b) => /<svg[\s>]/.test(b.toString('utf8', 0, 400)) && b.toString().trimEnd().endsWith('</svg>'),
    pdf: (b) => b.subarray(0, 5).toString() === '%PDF-' && b.toString('latin1').includes('%%EOF'),
  };
  for (const format of ['png', 'svg', 'pdf']) {
    const out = join(dir, `curves.${format}`);
    const e = exp(['figure', '--kind', 'independent', '--measure', 'pearson', '--format', format, '--dpi', '100', '--out', out]);
    assert.equal(e.status, 0, e.stderr);
    assert.ok(magic[format](readFileSync(out)), `${format} is not a valid file`);
  }
  const strip = join(dir, 'strip.png');
  assert.equal(exp(['figure', '--kind', 'map-strip', '--format', 'png', '--dpi', '72', '--out', strip]).status, 0);
  assert.ok(magic.png(readFileSync(strip)));
  const wrong = exp(['figure', '--kind', 'cascading', '--format', 'png', '--out', join(dir, 'x.png')]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /ran the independent test/);
  assert.ok(!hasStackTrace(wrong.stderr));

  const csv = exp(['table', '--format', 'csv']);
  assert.equal(csv.status, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'step,label,method,measure,n,mean,std,ci95 low,ci95 high');
  assert.equal(lines.length, 1 + s.steps.length * 2);
  assert.match(lines[1], /^0,trained,dix3,/);
  const tex = exp(['table', '--format', 'latex']);
  assert.match(tex.stdout, /\\begin\{tabular\}[\s\S]*\\end\{table\}/);
  const json = JSON.parse(exp(['table', '--format', 'json']).stdout) as { summaries: SanityJobSummary['summaries'] };
  assert.deepEqual(json.summaries, s.summaries);
});

test('data randomization fails clearly when the permuted model cannot reach 95% in its epoch budget', () => {
  const r = runCli(['sanity', 'data', '--train', 'small-cnn', '--epochs', '1', '--random-epochs', '1', '--width', '0.25', '--train-data', data,
    '--data', data, '--method', 'gradcam', '--limit', '1', '--db', join(dir, 'data.db'), '--train-out', join(dir, 'pair'), '--backend', 'wasm']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /failed: .*reached [\d.]+% training accuracy after 1 epochs; the data randomization test needs at least 95\.0%/);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
});
