// The LaTeX tables `dixw export table --format latex` writes compile with pdflatex: each table is built through the
// service's own export path (jobTable: the registry's builder for the job kind, then its LaTeX), wrapped in a minimal
// article whose preamble is exactly what the snippet's own comment tells users to put there (booktabs), and compiled
// with -halt-on-error. The metrics table carries bold best, underlined second, daggers and 95% intervals, and method
// configurations with awkward names (_ % & # ~ ^ \ { } $ [ ] < > |); the sanity table is wide (steps as rows, methods
// as columns, mean and interval, one block per measure); the explain table comes through the generic rendering of
// table-format.ts. Every table has a caption and a label. pdflatex is required (CI installs it in .ci/run): without it these tests fail, they do not skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { JobSpec } from '../../shared/job-spec';
import type { MetricRow, MetricsJobSummary } from '../../shared/metrics-summary';
import type { JobSummary, SanityJobSummary } from '../../shared/service-api';
import { openService, type WorkbenchService } from '../../main/service/index';
import { jobTable } from '../../main/service/job-exports';
import { formatMetricsTable } from '../../main/service/tables/metrics-table';
import { insertJob } from '../../main/store/index';
import { addDataset } from '../../main/store/datasets-repo';

const INSTALL_HINT = 'pdflatex is not installed; install it with `apt-get install texlive-latex-base texlive-latex-recommended` ' +
  '(CI does so in .ci/run) so that the exported LaTeX tables can be compiled';

/** Configuration names as `dixw ablate` and hand-written variants produce them, and worse. */
const NAMES = ['dix3 N=20 z=zero', 'dix_3 50% & #1', 'a~b^c \\ {x}', '$5 [a] <b> |c|', '[ours] gradcam++'];

const interval = (low: number, high: number) => ({ low, high, level: 0.95, resamples: 200, seed: 1 });
const cell = (method: string, value: number) => ({ method, value, interval: interval(value - 1.5, value + 1.5), images: 12, skipped: {} });
const paired = (method: string, pHolm: number) => ({ method, pairs: 12, statistic: 4, pValue: pHolm / 2, pHolm, test: 'exact' });

/** INS: NAMES[1] best, NAMES[0] second, NAMES[2] and NAMES[4] significantly worse; DEL (lower): NAMES[3] best, a
 *  missing value; ADP: a tie for best. */
const ROWS: MetricRow[] = [
  { metric: { id: 'ins', version: 1, params: {} }, title: 'Insertion', direction: 'higher',
    cells: [cell(NAMES[0], 55), cell(NAMES[1], 61.25), cell(NAMES[2], 40), cell(NAMES[3], 52), cell(NAMES[4], 30)],
    best: NAMES[1], second: NAMES[0], tests: [paired(NAMES[0], 0.2), paired(NAMES[2], 0.01), paired(NAMES[3], 0.3), paired(NAMES[4], 0.001)] },
  { metric: { id: 'del', version: 1, params: {} }, title: 'Deletion', direction: 'lower',
    cells: [cell(NAMES[0], 20), cell(NAMES[1], NaN), cell(NAMES[2], 30), cell(NAMES[3], 10), cell(NAMES[4], 25)],
    best: NAMES[3], second: NAMES[0], tests: [paired(NAMES[0], 0.04), paired(NAMES[2], 0.002), paired(NAMES[4], 0.5)] },
  { metric: { id: 'adp', version: 1, params: {} }, title: 'Average drop', direction: 'lower',
    cells: NAMES.map((n, i) => cell(n, i < 2 ? 12 : 14 + i)),
    best: NAMES[0], second: NAMES[1], tests: NAMES.slice(1).map((n, i) => paired(n, i === 0 ? 1 : 0.03)) },
];

let dir: string;
let service: WorkbenchService;
let metricsJob: number;
let sanityJob: number;
const summaries = new Map<number, JobSummary>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dixw-latex-compile-'));
  service = openService({ dbPath: join(dir, 'w.db') });
  const insert = (spec: JobSpec) => insertJob(service.store, { spec, inputs: {}, priority: 0, state: 'queued', itemsTotal: 0, modelId: null, datasetId: null });
  metricsJob = insert({
    kind: 'metrics', model: '/models/m', dataset: '/data/my_data 100%', methods: ['dix3', 'gradcam++'], metrics: ['ins', 'del', 'adp'], keepMaps: 'all',
    variants: NAMES.map((name, i) => ({ name, method: i === 4 ? 'gradcam++' : 'dix3' })),
  });
  sanityJob = insert({
    kind: 'sanity', model: '/models/m', dataset: '/data/d', test: 'cascading', methods: ['dix3', 'gradcam++'], layersFrom: 'top',
    includeBatchNorm: false, batchNormStats: 'keep', explainedClass: 'randomized', keepMaps: 'none', seed: 7,
  });
  // The summaries are hand-made (no engine run): everything from the stored summary to the file is the real export path.
  summaries.set(metricsJob, metricsSummary(metricsJob));
  summaries.set(sanityJob, sanitySummary(sanityJob));
  service.results.summary = async (jobId: number) => summaries.get(jobId) ?? null;
});

after(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

function metricsSummary(jobId: number): MetricsJobSummary {
  return {
    kind: 'metrics', jobId, state: 'done', model: { path: '/models/m', hash: 'h' }, dataset: { path: '/data/my_data 100%&#~^', hash: 'h', images: 12 },
    variants: NAMES.map((name) => ({ name, method: 'dix3', version: 1, params: {}, cutPoints: [] })), seed: 0, backend: null, images: 12, skipped: [],
    mapsComputed: 60, mapsReused: 0, medianMapMillis: {}, medianMetricMillis: null, table: ROWS, seconds: 1,
  };
}

function sanitySummary(jobId: number): SanityJobSummary {
  const steps = [{ step: 0, label: 'trained', layers: [] }, { step: 1, label: 'logits_1', layers: ['logits_1'] }, { step: 2, label: 'block#2/conv_2d~^', layers: ['block#2/conv_2d~^'] }];
  const methods = ['dix3', 'gradcam++'];
  const measures = ['spearman-abs', 'ssim'];
  return {
    kind: 'sanity', jobId, state: 'done', test: 'cascading', model: { path: '/models/m', hash: 'h' }, dataset: { path: '/data/d', hash: 'h', images: 4 },
    methods, measures, seed: 7, steps,
    summaries: steps.flatMap((s) => methods.flatMap((method) => measures.map((measure, k) => (s.step === 2 && k === 1
      ? { step: s.step, label: s.label, method, measure, n: 0, undefinedCount: 4, mean: null, std: null, ci95: null }
      : { step: s.step, label: s.label, method, measure, n: 4, undefinedCount: 0, mean: 1 / (s.step + 1.5), std: 0.0123456, ci95: [-0.25, 0.98765] as [number, number] })))),
    trainedPair: null, skipped: [], medianMillisPerStep: null, backend: null, seconds: 1,
  };
}

/** The \usepackage lines the snippet's own comments ask for ("% Needs \usepackage{booktabs} in the preamble."). */
function requiredPackages(tex: string): string[] {
  return tex.split('\n').filter((l) => l.startsWith('%')).flatMap((l) => [...l.matchAll(/\\usepackage(\[[^\]]*\])?\{[^}]+\}/g)].map((m) => m[0]));
}

function pdflatexAvailable(): boolean {
  const r = spawnSync('pdflatex', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** Compiles the snippet in a minimal article; returns the PDF's path (the folder is removed by `after`). */
function compile(name: string, snippet: string): string {
  assert.ok(pdflatexAvailable(), INSTALL_HINT);
  const packages = requiredPackages(snippet);
  assert.ok(packages.includes('\\usepackage{booktabs}'), `the snippet must tell users to load booktabs; its comments ask for: ${packages.join(', ') || 'nothing'}`);
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  for (const p of packages) assert.ok(readme.includes(p), `README.md does not tell users to load ${p}, which the exported snippet needs`);
  const work = mkdtempSync(join(dir, `${name}-`));
  const doc = ['\\documentclass{article}', ...packages, '\\begin{document}', snippet, '\\end{document}', ''].join('\n');
  writeFileSync(join(work, `${name}.tex`), doc);
  const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `${name}.tex`], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  const logPath = join(work, `${name}.log`);
  const log = existsSync(logPath) ? readFileSync(logPath, 'latin1') : `(no log; pdflatex said: ${r.error?.message ?? r.stderr})`;
  // Each error with its context, up to the "l.<line>" line that says where in the document it happened.
  const errors = log.split('\n').flatMap((l, i, all) => {
    if (!l.startsWith('!')) return [];
    const end = all.findIndex((x, j) => j > i && /^l\.\d+/.test(x));
    return all.slice(i, end > i && end - i < 10 ? end + 1 : i + 3);
  });
  const report = `\n--- errors ---\n${errors.join('\n')}\n--- tail of ${name}.log ---\n${log.slice(-3000)}\n--- document ---\n${doc}`;
  assert.equal(r.status, 0, `pdflatex failed on the exported ${name} table (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})${report}`);
  const pdf = join(work, `${name}.pdf`);
  assert.ok(existsSync(pdf) && statSync(pdf).size > 0, `pdflatex exited 0 but wrote no PDF${report}`);
  // Characters the font cannot show are dropped with only a line in the log.
  assert.doesNotMatch(log, /Missing character/, `characters were dropped${report}`);
  return pdf;
}

/** The PDF's text when poppler's pdftotext is installed (optional); null otherwise. */
function pdfText(pdf: string): string | null {
  const r = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? null : r.stdout;
}

async function exportLatex(jobId: number): Promise<string> {
  const file = await jobTable(service, { jobId, format: 'latex' });
  assert.match(file.filename, /\.tex$/);
  return new TextDecoder().decode(file.bytes);
}

test('pdflatex is installed (the LaTeX export is compiled in the tests below)', () => {
  assert.ok(pdflatexAvailable(), INSTALL_HINT);
});

test('the metrics table (bold, underline, daggers, intervals, awkward configuration names) compiles with booktabs', async (t) => {
  const tex = await exportLatex(metricsJob);
  // The features this test is about are really in the file.
  for (const s of ['\\toprule', '\\midrule', '\\bottomrule', '\\textbf{61.25}', '\\underline{55.00}', '$^{\\dagger}$', '{\\scriptsize [59.75, 62.75]}'])
    assert.ok(tex.includes(s), `the exported table has ${s}:\n${tex}`);
  assert.ok(tex.includes('dix\\_3 50\\% \\& \\#1'), `names are escaped:\n${tex}`);
  const pdf = compile('metrics', tex);
  const text = pdfText(pdf);
  if (text === null) return void t.diagnostic('pdftotext is not installed: the PDF was not read back');
  for (const s of ['61.25', '59.75, 62.75', 'DIX3 N=20 z=zero', '50%', '#1']) assert.ok(text.includes(s), `the PDF shows "${s}":\n${text}`);
});

test('the sanity table is wide (steps as rows, methods as columns, mean and interval), captioned and labelled, and compiles', async (t) => {
  const tex = await exportLatex(sanityJob);
  for (const s of ['\\toprule', '\\midrule', '\\bottomrule', 'logits\\_1', '95\\%', '\\caption{Cascading randomization', `\\label{tab:sanity-cascading-job-${sanityJob}}`])
    assert.ok(tex.includes(s), `the exported table has ${s}:\n${tex}`);
  const lines = tex.split('\n');
  assert.ok(lines.includes('Layers randomized & DIX3 & Grad-CAM++ \\\\'), `methods are the columns, by display name:\n${tex}`);
  // Step 1 (mean 1/2.5 = 0.40) with its interval, one cell per method; the missing SSIM value at step 2 is a dash.
  assert.equal(lines.filter((l) => l === 'logits\\_1 & 0.40 {\\scriptsize [-0.25, 0.99]} & 0.40 {\\scriptsize [-0.25, 0.99]} \\\\').length, 2);
  assert.ok(lines.includes('block\\#2/conv\\_2d\\textasciitilde{}\\textasciicircum{} & -- & -- \\\\'), tex);
  assert.ok(tex.includes('\\emph{SSIM}') && tex.includes('\\emph{Spearman (\\textbar{}map\\textbar{})}'), `one block per measure:\n${tex}`);
  const pdf = compile('sanity', tex);
  const text = pdfText(pdf);
  if (text === null) return void t.diagnostic('pdftotext is not installed: the PDF was not read back');
  for (const s of ['Spearman (|map|)', '0.40', '[-0.25, 0.99]', 'Grad-CAM++', '95%']) assert.ok(text.includes(s), `the PDF shows "${s}":\n${text}`);
});

test('every table kind has a caption and a label in LaTeX; the explain table names classes, not indices', async () => {
  const dataset = addDataset(service.store, { name: 'fm', root: join(dir, 'fm'), contentHash: 'h', classes: ['T-shirt/top', 'Trouser'], images: [] });
  const explainJob = insertJob(service.store, {
    spec: { kind: 'explain', model: '/models/m', dataset: String(dataset.id), methods: ['dix3', 'gradcam'], keepMaps: 'all' }, inputs: {}, priority: 0,
    state: 'queued', itemsTotal: 0, modelId: null, datasetId: dataset.id,
  });
  summaries.set(explainJob, {
    kind: 'explain', jobId: explainJob, state: 'done', model: { path: '/models/m', hash: 'h' }, dataset: { path: join(dir, 'fm'), hash: 'h', images: 1 },
    methods: [{ id: 'dix3', version: 1, params: {} }, { id: 'gradcam', version: 1, params: {} }], backend: null,
    images: [{ image: 'Trouser/0001.png', label: 1, targetClass: 1, predictedClass: 0, targetProbability: 0.75, millis: { dix3: 12.5, gradcam: 1 }, reused: [], completenessGap: {} }],
    skipped: [], medianMillis: { dix3: 12.5, gradcam: 1 }, completenessGap: {}, mapsComputed: 2, mapsReused: 0, seconds: 1,
  });
  for (const id of [metricsJob, sanityJob, explainJob]) {
    const latex = await exportLatex(id);
    assert.match(latex, /\\caption\{[^}]/, `job ${id}'s table has a caption:\n${latex}`);
    assert.match(latex, /\\label\{tab:[a-z]+-/, `job ${id}'s table has a label:\n${latex}`);
  }
  const tex = await exportLatex(explainJob);
  assert.ok(tex.includes('image & true class & explained class & predicted class & p(explained) & DIX3 (ms) & Grad-CAM (ms) \\\\'), tex);
  assert.ok(tex.includes('Trouser/0001.png & Trouser & Trouser & T-shirt/top & 0.75 & 12.5 & 1 \\\\'), tex);
  compile('explain', tex);
  // CSV keeps the column ids, with the class names as values.
  const csv = new TextDecoder().decode((await jobTable(service, { jobId: explainJob, format: 'csv' })).bytes).trim().split('\n');
  assert.deepEqual(csv, ['image,label,target,predicted,p(target),dix3 ms,gradcam ms', 'Trouser/0001.png,Trouser,Trouser,T-shirt/top,0.75,12.5,1']);
});

test('the transposed metrics table (configurations as rows, the ablation layout) compiles, a name starting with [ included', () => {
  const tex = formatMetricsTable(ROWS, 'latex', { transpose: true, title: 'Ablation on my_data', label: 'tab:ablation' });
  assert.ok(tex.split('\n').some((l) => l.startsWith('{[}ours{]} gradcam++ & ')), `a row starts with the escaped [ours]:\n${tex}`);
  compile('transposed', tex);
});
