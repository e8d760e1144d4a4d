// The metrics table's formats on a hand-built table: bold best and underlined second per row respecting each
// metric's direction (ties share a rank), intervals, the dagger where the best is significantly better (Holm p <
// 0.05), LaTeX that compiles with booktabs (balanced braces, the three rules, escaped specials; pdflatex when
// installed), CSV, JSON and markdown; and the ablation grid's configurations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricRow } from '../../shared/metrics-summary';
import { formatMetricsTable, metricsTableJson } from '../../main/service/tables/metrics-table';
import { latexEscape } from '../../main/service/tables/table-format';
import { ablationVariants } from '../../main/cli/commands/ablate';

const interval = (low: number, high: number) => ({ low, high, level: 0.95, resamples: 100, seed: 1 });
const cell = (method: string, value: number, low = value - 1, high = value + 1) => ({ method, value, interval: interval(low, high), images: 10, skipped: {} });
const test_ = (method: string, pHolm: number) => ({ method, pairs: 10, statistic: 3, pValue: pHolm / 2, pHolm, test: 'exact' });

/** INS (higher): b best, a second; DEL (lower): c best, a second; NEG (higher): a and b tie for best. */
const ROWS: MetricRow[] = [
  { metric: { id: 'ins', version: 1, params: {} }, title: 'Insertion', direction: 'higher', cells: [cell('dix_3', 50), cell('ig', 60), cell('grad_cam', 40)],
    best: 'ig', second: 'dix_3', tests: [test_('dix_3', 0.2), test_('grad_cam', 0.01)] },
  { metric: { id: 'del', version: 1, params: {} }, title: 'Deletion', direction: 'lower', cells: [cell('dix_3', 20), cell('ig', 30), cell('grad_cam', 10)],
    best: 'grad_cam', second: 'dix_3', tests: [test_('dix_3', 0.04), test_('ig', 0.001)] },
  { metric: { id: 'neg', version: 1, params: {} }, title: 'Negative perturbation', direction: 'higher', cells: [cell('dix_3', 80), cell('ig', 80), cell('grad_cam', 70)],
    best: 'dix_3', second: 'ig', tests: [test_('ig', 1), test_('grad_cam', 0.5)] },
  { metric: { id: 'miou', version: 1, params: {} }, title: 'mIoU', direction: 'higher', cells: [cell('dix_3', NaN, NaN, NaN), cell('ig', 5), cell('grad_cam', 7)],
    best: 'grad_cam', second: 'ig', tests: [test_('ig', NaN)] },
];

function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === '{') depth++;
    if (s[i] === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

test('LaTeX: booktabs rules, bold best and underlined second by direction, intervals, daggers, escapes', (t) => {
  const tex = formatMetricsTable(ROWS, 'latex', { title: 'Results on my_data', label: 'tab:x' });
  assert.ok(balanced(tex), 'braces balance');
  for (const rule of ['\\toprule', '\\midrule', '\\bottomrule']) assert.equal(tex.split(rule).length - 1, 1, rule);
  assert.ok(tex.indexOf('\\toprule') < tex.indexOf('\\midrule') && tex.indexOf('\\midrule') < tex.indexOf('\\bottomrule'));
  assert.match(tex, /\\begin\{tabular\}\{lccc\}/);
  assert.match(tex, /Metric & dix\\_3 & IG & grad\\_cam \\\\/, 'underscores in names are escaped; registered methods by their display names');
  assert.match(tex, /Results on my\\_data/);
  assert.ok(!/[^\\]_/.test(tex.replace(/\\label\{[^}]*\}/, '').replace(/\$\^\{\\dagger\}\$/g, '')), 'no bare underscore outside math');
  const line = (label: string) => tex.split('\n').find((l) => l.startsWith(label))!;
  // INS, higher: ig best, dix_3 second; grad_cam significantly worse than the best (p 0.01), dix_3 not (0.2).
  assert.match(line('INS'), /^INS \(\$\\uparrow\$\) & \\underline\{50\.00\} \{\\scriptsize \[49\.00, 51\.00\]\} & \\textbf\{60\.00\} \{\\scriptsize \[59\.00, 61\.00\]\} & 40\.00\$\^\{\\dagger\}\$ \{\\scriptsize \[39\.00, 41\.00\]\} \\\\$/);
  // DEL, lower: grad_cam best, dix_3 second, both others significant.
  assert.match(line('DEL'), /^DEL \(\$\\downarrow\$\) & \\underline\{20\.00\}\$\^\{\\dagger\}\$ .* & 30\.00\$\^\{\\dagger\}\$ .* & \\textbf\{10\.00\} /);
  // NEG: a tie for best is bold twice; the next value is second.
  assert.match(line('NEG'), /& \\textbf\{80\.00\} .* & \\textbf\{80\.00\} .* & \\underline\{70\.00\}/);
  // mIoU: a missing value is a dash and never ranks.
  assert.match(line('mIoU'), /^mIoU \(\$\\uparrow\$\) & - & \\underline\{5\.00\} .* & \\textbf\{7\.00\} /);
  const which = spawnSync('pdflatex', ['--version'], { encoding: 'utf8' });
  if (which.error) {
    t.diagnostic('pdflatex is not installed here: the LaTeX was checked structurally only');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dixw-latex-'));
  try {
    writeFileSync(join(dir, 't.tex'), `\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n${tex}\\end{document}\n`);
    const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 't.tex'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout.slice(-2000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('markdown, CSV and JSON mark the same cells; the transposed layout has one row per configuration', () => {
  const md = formatMetricsTable(ROWS, 'markdown');
  assert.match(md, /\| INS ↑ \| <u>50\.00<\/u> \[49\.00, 51\.00\] \| \*\*60\.00\*\* \[59\.00, 61\.00\] \| 40\.00† \[39\.00, 41\.00\] \|/);
  assert.match(md, /\| Metric \| dix\\_3 \| IG \| grad\\_cam \|/);
  assert.match(md, /\| DEL ↓ \| <u>20\.00<\/u>† .* \| 30\.00† .* \| \*\*10\.00\*\* /);

  const csv = formatMetricsTable(ROWS, 'csv').trim().split('\n').map((l) => l.split(','));
  const header = csv[0];
  assert.deepEqual(header.slice(0, 8), ['metric', 'direction', 'dix_3', 'dix_3 ci_low', 'dix_3 ci_high', 'dix_3 rank', 'dix_3 p_holm_vs_best', 'dix_3 significant']);
  const get = (metric: string, col: string) => csv.find((r) => r[0] === metric)![header.indexOf(col)];
  assert.equal(get('ins', 'ig rank'), 'best');
  assert.equal(get('ins', 'dix_3 rank'), 'second');
  assert.equal(get('ins', 'grad_cam significant'), '1');
  assert.equal(get('del', 'grad_cam rank'), 'best');
  assert.equal(get('del', 'ig p_holm_vs_best'), '0.001');
  assert.equal(get('miou', 'dix_3'), '');

  const json = metricsTableJson(ROWS) as { rows: Array<{ metric: string; cells: Record<string, { rank: string | null; significant: boolean; ciLow: number | null } | null> }> };
  const ins = json.rows.find((r) => r.metric === 'ins')!;
  assert.equal(ins.cells.ig!.rank, 'best');
  assert.equal(ins.cells.dix_3!.rank, 'second');
  assert.equal(ins.cells.grad_cam!.significant, true);
  assert.equal(json.rows.find((r) => r.metric === 'miou')!.cells.dix_3!.ciLow, null);
  assert.doesNotThrow(() => JSON.parse(formatMetricsTable(ROWS, 'json')));

  const text = formatMetricsTable(ROWS, 'text', { transpose: true }).split('\n');
  assert.match(text[0], /^Method\s+INS ↑\s+DEL ↓\s+NEG ↑\s+mIoU ↑$/);
  assert.match(text.find((l) => l.startsWith('ig'))!, /60\.00\*/);
  assert.equal(latexEscape('a_b&c%d#e$f{g}h~i^j\\k'), 'a\\_b\\&c\\%d\\#e\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k');
});

test('ablation grid: one configuration per method x N x cut-point set x baseline that applies to it', () => {
  const v = ablationVariants({ methods: ['dix1', 'ig', 'dix2', 'dix3'], steps: [5, 10], layerSets: [['a', 'b'], ['a', 'b', 'c']], baselines: ['channel-min', 'zero'] });
  const names = v.map((x) => x.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
  // dix1 takes no 2- or 3-layer set of its size... but both sizes exist among the chosen DIX methods, so it keeps its own.
  assert.deepEqual(v.filter((x) => x.method === 'dix1').map((x) => x.name), ['dix1 N=5 z=channel-min', 'dix1 N=5 z=zero', 'dix1 N=10 z=channel-min', 'dix1 N=10 z=zero']);
  assert.deepEqual(v.filter((x) => x.method === 'ig').map((x) => x.name), ['ig N=5', 'ig N=10'], 'IG varies with N only');
  assert.ok(v.filter((x) => x.method === 'dix2').every((x) => x.layers?.join() === 'a,b'));
  assert.ok(v.filter((x) => x.method === 'dix3').every((x) => x.layers?.join() === 'a,b,c'));
  assert.equal(v.length, 4 + 2 + 4 + 4);
  assert.deepEqual(ablationVariants({ methods: ['dix3', 'ig'] }), [{ name: 'dix3', method: 'dix3' }, { name: 'ig', method: 'ig' }]);
});
