// `dixw metrics` and `dixw ablate` in real child processes over a real database: the printed table, reuse of the
// maps by a second run, --json, the ablation's configurations, --detach, and a bad metric met as one message.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MetricsJobSummary } from '../../shared/metrics-summary';
import { hasStackTrace, runCli, type CliResult } from '../helpers/run-cli';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-metrics-cli-'));
  data = makeDataset(dir, 'data', 9);
  model = await makeModel(dir);
});
after(() => cleanup());

function dixw(args: string[], status = 0): CliResult {
  const r = runCli([...args, '--db', join(dir, 'w.db')]);
  assert.equal(r.status, status, `dixw ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), `stack trace from dixw ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

test('dixw metrics prints the table; a second run reuses the maps; --json gives the summary with the table', () => {
  const help = runCli(['metrics', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: dixw metrics --model MODEL --data DATASET --methods/);
  assert.match(help.stdout, /--webp-quality X: .*\(default 100\)/, 'metric options from their schema');
  assert.match(runCli(['--help']).stdout, /metrics .*\n.*ablate /);

  const base = ['--model', model, '--data', data, '--methods', 'gradcam,ig', '--steps', '4', '--limit', '3', '--resamples', '100'];
  const first = dixw(['metrics', ...base, '--metrics', 'ins,del,seg']).stdout;
  assert.match(first, /^job 1: 3 image\(s\) scored, 0 skipped, seed 0/m);
  assert.match(first, /^maps: 6 computed, 0 reused from the store/m);
  assert.match(first, /^Metric\s+gradcam\s+ig$/m);
  for (const label of ['INS ↑', 'DEL ↓', 'PA ↑', 'mIoU ↑', 'mAP ↑', 'mF1 ↑']) assert.match(first, new RegExp(`^${label}\\s+\\d+\\.\\d\\d[*+ ]`, 'm'));
  assert.match(first, /\* best, \+ second/);

  const again = JSON.parse(dixw(['metrics', ...base, '--metrics', 'ins,adp', '--json']).stdout) as MetricsJobSummary;
  assert.equal(again.kind, 'metrics');
  assert.equal(again.mapsComputed, 0);
  assert.equal(again.mapsReused, 6);
  assert.deepEqual(again.table.map((r) => r.metric.id), ['ins', 'adp']);
  for (const row of again.table) {
    assert.equal(row.cells.length, 2);
    assert.ok(row.best !== null && row.second !== null && row.best !== row.second);
  }

  const bad = dixw(['metrics', ...base, '--metrics', 'ins,nope'], 1);
  assert.match(bad.stderr, /Unknown metric "nope"/);

  // Exports of job 1: the paper-style LaTeX table (booktabs, bold best) and one curve figure per curve metric.
  const latex = dixw(['export', 'table', '--job', '1', '--format', 'latex']).stdout;
  assert.match(latex, /\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
  assert.match(latex, /\\textbf\{/);
  const curves = dixw(['export', 'figure', '--job', '1', '--kind', 'curves', '--format', 'pdf', '--out', join(dir, 'curves.pdf')]).stdout;
  for (const m of ['ins', 'del']) assert.match(curves, new RegExp(`curves-${m}\\.pdf \\(\\d+ bytes\\)`));
  const one = dixw(['export', 'figure', '--job', '1', '--kind', 'curves', '--measure', 'del', '--format', 'png', '--out', join(dir, 'del.png')]).stdout;
  assert.match(one, /del\.png \(\d+ bytes\)/);
});

test('dixw ablate runs one job with one row per configuration; --detach only queues it', () => {
  const help = runCli(['ablate', '--help']);
  assert.match(help.stdout, /ONE\s+metrics job/);
  const out = JSON.parse(dixw(['ablate', '--model', model, '--data', data, '--methods', 'dix1,ig,dix2', '--steps', '2,4', '--baselines', 'channel-min,zero',
    '--metrics', 'ins,pos', '--limit', '2', '--resamples', '100', '--json']).stdout) as MetricsJobSummary;
  assert.deepEqual(out.variants.map((v) => v.name), ['dix1 N=2 z=channel-min', 'dix1 N=2 z=zero', 'dix1 N=4 z=channel-min', 'dix1 N=4 z=zero', 'ig N=2', 'ig N=4',
    'dix2 N=2 z=channel-min', 'dix2 N=2 z=zero', 'dix2 N=4 z=channel-min', 'dix2 N=4 z=zero']);
  assert.equal(out.variants[3].params.steps, 4);
  assert.equal(out.variants[3].params.baseline, 'zero');
  assert.equal(out.table[0].cells.length, 10);
  const text = dixw(['ablate', '--model', model, '--data', data, '--methods', 'dix1,ig', '--metrics', 'ins', '--limit', '2', '--resamples', '100']).stdout;
  assert.match(text, /^Method\s+INS ↑$/m);
  assert.match(text, /^dix1\s+\d/m);
  assert.match(text, /^ig\s+\d/m);
  assert.match(dixw(['ablate', '--model', model, '--data', data, '--metrics', 'ins', '--limit', '2', '--detach']).stdout, /^queued job \d+: 2 image\(s\)/m);
});
