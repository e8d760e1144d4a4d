// `dixw jobs show` and `dixw jobs list` for metrics, ablation and sanity jobs, in real child processes over a real
// database: the configurations, metrics with protocol versions, options, progress and reuse; once done, the very table
// `dixw metrics` / `dixw ablate` printed; for a queued job no table; and the one-line description in the list.
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
  ({ dir, cleanup } = tempDir('dixw-jobs-text-'));
  data = makeDataset(dir, 'data', 6);
  model = await makeModel(dir);
});
after(() => cleanup());

function dixw(args: string[]): CliResult {
  const r = runCli([...args, '--db', join(dir, 'w.db')]);
  assert.equal(r.status, 0, `dixw ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), `stack trace from dixw ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

/** The table block a command printed: from its header line (Metric / Method) through the legend. */
function tableBlock(text: string, corner: 'Metric' | 'Method'): string {
  const m = new RegExp(`^${corner} .*\\n(?:.*\\n)*?\\* best, \\+ second.*$`, 'm').exec(text);
  assert.ok(m, `no ${corner} table in:\n${text}`);
  return m[0];
}

const line = (text: string, label: string) => text.split('\n').find((l) => l.startsWith(`${label} `)) ?? '';

test('jobs show and jobs list describe metrics, ablation and sanity jobs', () => {
  const common = ['--model', model, '--data', data, '--resamples', '100'];
  // Job 1: a finished metrics job.
  const metricsOut = dixw(['metrics', ...common, '--methods', 'gradcam,ig', '--steps', '4', '--metrics', 'neg,pos,adp,pic,seg', '--limit', '3']).stdout;
  const shown = dixw(['jobs', 'show', '1']).stdout;
  assert.match(shown, /^job 1 \(metrics\): done, 3\/3 items done$/m);
  assert.equal(line(shown, 'methods'), 'methods   gradcam, ig');
  assert.equal(line(shown, 'metrics'), 'metrics   NEG v1, POS v1, ADP v1, PIC v1, PA v1, mIoU v1, mAP v1, mF1 v1');
  assert.equal(line(shown, 'options'), 'options   limit 3, seed 0, 4 integration steps, batch size all, 100 resamples, keep maps all');
  assert.equal(line(shown, 'progress'), 'progress  3/3 images done (0 skipped), 0 failed');
  assert.match(line(shown, 'maps'), /^maps {6}6 computed, 0 reused from the store; metrics median \d+ ms\/image$/);
  // The very table `dixw metrics` printed, one row per metric with both methods' cells.
  const table = tableBlock(metricsOut, 'Metric');
  assert.ok(shown.includes(table), `jobs show lacks the metrics table:\n${table}\n---\n${shown}`);
  assert.match(table, /^Metric\s+gradcam\s+ig$/m);
  for (const label of ['NEG ↑', 'POS ↓', 'ADP ↓', 'PIC ↑', 'PA ↑', 'mIoU ↑', 'mAP ↑', 'mF1 ↑']) {
    assert.match(shown, new RegExp(`^${label}\\s+\\d+\\.\\d\\d[*+ ].*\\s\\d+\\.\\d\\d[*+ ]`, 'm'), label);
  }
  // --json stays the service's record, with the summary holding the same metrics.
  const json = JSON.parse(dixw(['jobs', 'show', '1', '--json']).stdout) as { job: { id: number }; summary: MetricsJobSummary };
  assert.equal(json.job.id, 1);
  assert.deepEqual(json.summary.table.map((r) => `${r.metric.id} v${r.metric.version}`), ['neg v1', 'pos v1', 'adp v1', 'pic v1', 'pa v1', 'miou v1', 'map v1', 'mf1 v1']);

  // Job 2: an ablation; its configurations, and the transposed table ablate printed (reusing job 1's ig maps).
  const ablateOut = dixw(['ablate', ...common, '--methods', 'dix1,ig', '--steps', '2,4', '--metrics', 'adp,pic', '--limit', '2']).stdout;
  const shown2 = dixw(['jobs', 'show', '2']).stdout;
  assert.equal(line(shown2, 'configs'), 'configs   4 ablation configurations of dix1, ig: dix1 N=2; dix1 N=4; ig N=2; ig N=4');
  assert.equal(line(shown2, 'metrics'), 'metrics   ADP v1, PIC v1');
  const ablTable = tableBlock(ablateOut, 'Method');
  assert.ok(shown2.includes(ablTable), `jobs show lacks the ablation table:\n${ablTable}\n---\n${shown2}`);
  for (const name of ['dix1 N=2', 'dix1 N=4', 'ig N=2', 'ig N=4']) assert.match(shown2, new RegExp(`^${name}\\s+\\d+\\.\\d\\d`, 'm'), name);

  // Job 3: a sanity job; job 4: a metrics job only queued (no table yet, its images pending).
  const ran3 = dixw(['sanity', 'cascading', '--model', model, '--data', data, '--method', 'gradcam', '--measures', 'spearman-abs', '--limit', '2']).stdout;
  dixw(['metrics', ...common, '--methods', 'dix3,gradcam,ig', '--metrics', 'neg,pos,ins,del,adp,pic,sic,aic', '--min-probability', '0.2', '--batch-size', '4', '--detach']);
  const shown3 = dixw(['jobs', 'show', '3']).stdout;
  assert.equal(line(shown3, 'test'), "test      cascading randomization, from the output down; explaining each model's own top-1, seed 0");
  assert.equal(line(shown3, 'methods'), 'methods   gradcam');
  assert.match(line(shown3, 'steps'), /^steps {5}(\d+) \(0 trained, 1 logits, 2 \w+, .*\)$/);
  assert.equal(line(shown3, 'measures'), 'measures  spearman-abs');
  assert.equal(line(shown3, 'progress'), 'progress  2/2 images done (0 skipped), 0 failed');
  assert.match(line(shown3, 'results'), /^results {3}\d+ per-step summaries: "dixw export table --job 3 --format markdown"/);
  // The per-step table `dixw sanity` printed when the test ended, unchanged.
  const stepTable = ran3.slice(ran3.indexOf('mean spearman-abs similarity'), ran3.indexOf('"dixw export figure'));
  assert.match(stepTable, /^0 trained\s+1\.000 \[ 1\.000, 1\.000\]$/m);
  assert.ok(shown3.includes(stepTable.trimEnd()), `jobs show lacks the step table:\n${stepTable}\n---\n${shown3}`);
  const shown4 = dixw(['jobs', 'show', '4']).stdout;
  assert.match(shown4, /^job 4 \(metrics\): queued, 0\/6 items done$/m);
  assert.equal(line(shown4, 'methods'), 'methods   dix3, gradcam, ig');
  assert.equal(line(shown4, 'options'), 'options   all images, seed 0, batch size 4, min probability 0.2, 100 resamples, keep maps all');
  assert.equal(line(shown4, 'progress'), 'progress  0/6 images done (0 skipped), 0 failed, 6 pending');
  assert.doesNotMatch(shown4, /^Metric /m);

  const list = dixw(['jobs', 'list']).stdout;
  const what = (id: number) => {
    const row = list.split('\n').find((l) => l.startsWith(`${id} `));
    assert.ok(row, `no row for job ${id}:\n${list}`);
    return row.split(/ {2,}/).pop();
  };
  assert.equal(what(1), 'metrics: gradcam,ig × neg,pos,…,mf1 (3 images)');
  assert.equal(what(2), 'ablation: 4 configurations of dix1,ig × adp,pic (2 images)');
  assert.equal(what(3), 'sanity cascading: gradcam × spearman-abs (2 images)');
  assert.equal(what(4), 'metrics: dix3,gradcam,ig × neg,pos,…,aic (6 images)');
});
