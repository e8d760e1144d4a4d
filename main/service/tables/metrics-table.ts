// A metrics job's table as the paper prints it (Tables 1, 3, 5): metrics as rows, methods (or ablation
// configurations) as columns; each cell the dataset value with its 95% bootstrap interval; per row the best value in
// bold and the second underlined, respecting the metric's direction; and a dagger on every cell the row's best is
// significantly better than (Wilcoxon signed-rank on the paired per-image values, Holm-corrected over the row, p < 0.05).
// Rendered here as LaTeX (booktabs), CSV, JSON, markdown and terminal text, from the job's summary (the table is rebuilt
// from the stored scores by the jobs layer), so every format shows the same numbers.
import type { JobRecord } from '../../../shared/store-types';
import { SIGNIFICANCE_LEVEL, type MetricRow, type MetricsJobSummary } from '../../../shared/metrics-summary';
import { ServiceError } from '../service-error';
import type { WorkbenchService } from '../service';
import type { Table, TableCell } from './registry';
import { csvField, LATEX_PREAMBLE_NOTE, latexEscape } from './table-format';
import { aJob, methodName } from '../../../shared/method-display';

export const METRICS_TABLE_FORMATS = ['latex', 'csv', 'json', 'markdown', 'text'] as const;
export type MetricsTableFormat = (typeof METRICS_TABLE_FORMATS)[number];

export interface MetricsTableOptions {
  /** Decimals of values and intervals (default 2). */
  digits?: number;
  /** LaTeX caption / markdown heading. */
  title?: string;
  /** LaTeX \label. */
  label?: string;
  /** Configurations as rows and metrics as columns (the ablation's layout); default metrics as rows, as the paper. */
  transpose?: boolean;
  /** Leave out the intervals (a compact table). */
  intervals?: boolean;
}

type Rank = 'best' | 'second' | null;

interface CellView {
  value: number;
  low: number;
  high: number;
  rank: Rank;
  /** Holm-corrected p of the best against this configuration (null for the best itself or untested). */
  pHolm: number | null;
  /** The best is significantly better than this configuration. */
  significant: boolean;
}

interface RowView {
  metric: string;
  title: string;
  direction: 'higher' | 'lower';
  cells: Map<string, CellView>;
}

/** The rows as the formats read them: rank and significance per cell. */
function view(rows: readonly MetricRow[]): { methods: string[]; rows: RowView[] } {
  const methods: string[] = [];
  for (const r of rows) for (const c of r.cells) if (!methods.includes(c.method)) methods.push(c.method);
  return {
    methods,
    rows: rows.map((r) => {
      const { best, second } = rankValues(r);
      return {
        metric: r.metric.id,
        title: r.title,
        direction: r.direction,
        cells: new Map(r.cells.map((c) => {
          const t = r.tests.find((x) => x.method === c.method);
          const pHolm = t && Number.isFinite(t.pHolm) ? t.pHolm : null;
          return [c.method, {
            value: c.value, low: c.interval.low, high: c.interval.high,
            rank: c.value === best ? 'best' : c.value === second ? 'second' : null,
            pHolm, significant: pHolm !== null && pHolm < SIGNIFICANCE_LEVEL,
          }];
        })),
      };
    }),
  };
}

/** The best and second-best values of a row (respecting its direction): tied cells share a rank, as in the paper. */
function rankValues(r: MetricRow): { best: number | null; second: number | null } {
  const values = [...new Set(r.cells.map((c) => c.value).filter((v) => Number.isFinite(v)))].sort((a, b) => (r.direction === 'higher' ? b - a : a - b));
  return { best: values[0] ?? null, second: values[1] ?? null };
}

const METRIC_LABELS: Record<string, string> = { miou: 'mIoU', map: 'mAP', mf1: 'mF1' };
/** NEG, POS, ..., PA, mIoU, mAP, mF1. */
export const metricLabel = (id: string) => METRIC_LABELS[id] ?? id.toUpperCase();

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const arrow = (d: 'higher' | 'lower') => (d === 'higher' ? '↑' : '↓');


/** Header labels and body cells in the chosen orientation, each cell rendered by `cell`. */
function grid(v: ReturnType<typeof view>, transpose: boolean, rowLabel: (r: RowView) => string, cell: (c: CellView | undefined) => string,
  methodLabel: (m: string) => string): { corner: string; header: string[]; body: string[][] } {
  if (!transpose) {
    return { corner: 'Metric', header: v.methods.map(methodLabel), body: v.rows.map((r) => [rowLabel(r), ...v.methods.map((m) => cell(r.cells.get(m)))]) };
  }
  return { corner: 'Method', header: v.rows.map(rowLabel), body: v.methods.map((m) => [methodLabel(m), ...v.rows.map((r) => cell(r.cells.get(m)))]) };
}

export function metricsTableLatex(rows: readonly MetricRow[], o: MetricsTableOptions = {}): string {
  const digits = o.digits ?? 2;
  const v = view(rows);
  const g = grid(v, Boolean(o.transpose), (r) => `${latexEscape(metricLabel(r.metric))} ($\\${r.direction === 'higher' ? 'uparrow' : 'downarrow'}$)`, (c) => {
    if (!c) return '';
    let s = fmt(c.value, digits);
    if (c.rank === 'best') s = `\\textbf{${s}}`;
    else if (c.rank === 'second') s = `\\underline{${s}}`;
    if (c.significant) s += '$^{\\dagger}$';
    if (o.intervals !== false && Number.isFinite(c.low)) s += ` {\\scriptsize [${fmt(c.low, digits)}, ${fmt(c.high, digits)}]}`;
    return s;
  }, (m) => latexEscape(methodName(m)));
  const title = o.title ?? 'Metrics per method';
  const lines = [
    LATEX_PREAMBLE_NOTE,
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${latexEscape(title)}. Bold: best; underlined: second best (arrows give the better direction). ` +
      `Brackets: 95\\% bootstrap interval over images. $^{\\dagger}$: the best is significantly better ` +
      `(Wilcoxon signed-rank, Holm-corrected, $p < ${SIGNIFICANCE_LEVEL}$).}`,
    `\\label{${(o.label ?? 'tab:metrics').replace(/[^A-Za-z0-9:_.-]/g, '')}}`,
    `\\begin{tabular}{l${'c'.repeat(g.header.length)}}`,
    '\\toprule',
    `${g.corner} & ${g.header.join(' & ')} \\\\`,
    '\\midrule',
    ...g.body.map((r) => `${r.join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
  ];
  return lines.join('\n') + '\n';
}

export function metricsTableMarkdown(rows: readonly MetricRow[], o: MetricsTableOptions = {}): string {
  const digits = o.digits ?? 2;
  const esc = (s: string) => s.replace(/([|*_<>\\`])/g, '\\$1');
  const g = grid(view(rows), Boolean(o.transpose), (r) => `${metricLabel(r.metric)} ${arrow(r.direction)}`, (c) => {
    if (!c) return '';
    let s = fmt(c.value, digits);
    if (c.rank === 'best') s = `**${s}**`;
    else if (c.rank === 'second') s = `<u>${s}</u>`;
    if (c.significant) s += '†';
    if (o.intervals !== false && Number.isFinite(c.low)) s += ` [${fmt(c.low, digits)}, ${fmt(c.high, digits)}]`;
    return s;
  }, (m) => esc(methodName(m)));
  return [
    `### ${esc(o.title ?? 'Metrics per method')}`,
    '',
    `| ${g.corner} | ${g.header.join(' | ')} |`,
    `|---|${g.header.map(() => '---:').join('|')}|`,
    ...g.body.map((r) => `| ${r.join(' | ')} |`),
    '',
    `**Bold**: best; <u>underlined</u>: second best (↑ higher is better, ↓ lower). Brackets: 95% bootstrap interval over images. ` +
      `†: the best is significantly better (Wilcoxon signed-rank, Holm-corrected, p < ${SIGNIFICANCE_LEVEL}).`,
    '',
  ].join('\n');
}

/** Wide CSV: one row per metric; per method its value, interval, rank (best/second) and the Holm p of the best against it. */
export function metricsTableCsv(rows: readonly MetricRow[], o: MetricsTableOptions = {}): string {
  const v = view(rows);
  const header = ['metric', 'direction', ...v.methods.flatMap((m) => [m, `${m} ci_low`, `${m} ci_high`, `${m} rank`, `${m} p_holm_vs_best`, `${m} significant`])];
  const num = (x: number | null) => (x === null || !Number.isFinite(x) ? '' : String(o.digits === undefined ? x : Number(x.toFixed(o.digits))));
  const lines = v.rows.map((r) => [r.metric, r.direction, ...v.methods.flatMap((m) => {
    const c = r.cells.get(m);
    return c ? [num(c.value), num(c.low), num(c.high), c.rank ?? '', num(c.pHolm), c.significant ? '1' : '0'] : ['', '', '', '', '', ''];
  })]);
  return [header, ...lines].map((l) => l.map(csvField).join(',')).join('\n') + '\n';
}

export function metricsTableJson(rows: readonly MetricRow[], o: MetricsTableOptions = {}): unknown {
  const v = view(rows);
  const n = (x: number | null) => (x === null || !Number.isFinite(x) ? null : x);
  return {
    title: o.title ?? 'Metrics per method',
    methods: v.methods,
    significanceLevel: SIGNIFICANCE_LEVEL,
    rows: v.rows.map((r, i) => ({
      metric: r.metric,
      title: r.title,
      direction: r.direction,
      protocol: rows[i].metric,
      best: rows[i].best,
      second: rows[i].second,
      cells: Object.fromEntries(v.methods.map((m) => {
        const c = r.cells.get(m);
        return [m, c ? { value: n(c.value), ciLow: n(c.low), ciHigh: n(c.high), rank: c.rank, pHolmVsBest: c.pHolm, significant: c.significant } : null];
      })),
    })),
  };
}

/** Terminal text: aligned columns, the best marked *, the second +, the dagger as †. */
export function metricsTableText(rows: readonly MetricRow[], o: MetricsTableOptions = {}): string {
  const digits = o.digits ?? 2;
  const g = grid(view(rows), Boolean(o.transpose), (r) => `${metricLabel(r.metric)} ${arrow(r.direction)}`, (c) => {
    if (!c) return '';
    const mark = c.rank === 'best' ? '*' : c.rank === 'second' ? '+' : ' ';
    const interval = o.intervals !== false && Number.isFinite(c.low) ? ` [${fmt(c.low, digits)},${fmt(c.high, digits)}]` : '';
    return `${fmt(c.value, digits)}${mark}${c.significant ? '†' : ' '}${interval}`;
  }, (m) => m);
  const all = [[g.corner, ...g.header], ...g.body];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [...all.map(line), `* best, + second (↑ higher / ↓ lower is better); [95% bootstrap interval]; † best significantly better (Wilcoxon, Holm, p < ${SIGNIFICANCE_LEVEL})`].join('\n') + '\n';
}

export function formatMetricsTable(rows: readonly MetricRow[], format: MetricsTableFormat, o: MetricsTableOptions = {}): string {
  switch (format) {
    case 'latex':
      return metricsTableLatex(rows, o);
    case 'markdown':
      return metricsTableMarkdown(rows, o);
    case 'csv':
      return metricsTableCsv(rows, o);
    case 'json':
      return JSON.stringify(metricsTableJson(rows, o), null, 2) + '\n';
    case 'text':
      return metricsTableText(rows, o);
  }
}

export function metricsTitle(s: MetricsJobSummary): string {
  return `${s.images} image(s) of ${s.dataset.path.split(/[\\/]/).pop() || s.dataset.path}, seed ${s.seed}`;
}

/**
 * The table registry's builder (main/service/tables/registry.ts). The generic Table holds plain-text cells (value,
 * interval, * best, + second, † significant); `formatted` holds this table's own rendering per format (bold,
 * underline and daggers), which the export command prints when present.
 */
export async function metricsTable(service: WorkbenchService, job: JobRecord): Promise<Table & { formatted: Record<Exclude<MetricsTableFormat, 'text'>, string> }> {
  const summary = await service.results.summary(job.id);
  if (summary?.kind !== 'metrics') throw new ServiceError('invalid-input', `Job ${job.id} is ${aJob(job.kind)}, not a metrics job.`);
  if (summary.images === 0) throw new ServiceError('invalid-input', `Job ${job.id} has no scored images yet (${job.state}).`, 'Wait for it to finish ("dixw jobs show").');
  const rows = summary.table;
  const o: MetricsTableOptions = { title: metricsTitle(summary), label: `tab:metrics-job-${job.id}` };
  const v = view(rows);
  const body: TableCell[][] = v.rows.map((r) => [`${r.metric} ${arrow(r.direction)}`, ...v.methods.map((m) => {
    const c = r.cells.get(m);
    if (!c) return null;
    return `${fmt(c.value, 2)}${c.rank === 'best' ? '*' : c.rank === 'second' ? '+' : ''}${c.significant ? '†' : ''} [${fmt(c.low, 2)}, ${fmt(c.high, 2)}]`;
  })]);
  return {
    title: o.title!,
    columns: ['metric', ...v.methods],
    rows: body,
    json: metricsTableJson(rows, o),
    formatted: {
      latex: metricsTableLatex(rows, o),
      csv: metricsTableCsv(rows, o),
      json: JSON.stringify(metricsTableJson(rows, o), null, 2) + '\n',
      markdown: metricsTableMarkdown(rows, o),
    },
  };
}
