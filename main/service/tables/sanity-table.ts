// The table of a sanity job. As a paper prints it (LaTeX, markdown): wide, one row per randomization step, one column
// per method (display names), each cell the mean similarity to the trained model's map with its 95% bootstrap interval,
// one block per similarity measure; a caption saying what the numbers are, and a \label. As data (CSV, JSON): long,
// one row per step, method and measure with ids, n, mean, std and the interval (the same summaries as the curves).
import type { JobRecord } from '../../../shared/store-types';
import type { SanityJobSummary } from '../../../shared/service-api';
import { measureName, methodName } from '../../../shared/method-display';
import type { WorkbenchService } from '../service';
import type { Table } from './registry';
import { LATEX_PREAMBLE_NOTE, latexEscape } from './table-format';

const r4 = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v.toFixed(4)));
const TEST_NAMES = { cascading: 'Cascading randomization', independent: 'Independent randomization', data: 'Data randomization' } as const;

interface WideCell {
  mean: string;
  interval: string | null;
}

/** Per measure, the step rows with one cell per method (mean and interval, `digits` decimals). */
function wide(s: SanityJobSummary, digits: number): Array<{ measure: string; rows: Array<{ label: string; cells: WideCell[] }> }> {
  const measures = s.measures.length ? s.measures : [...new Set(s.summaries.map((x) => x.measure))];
  const fmt = (x: number) => x.toFixed(digits);
  return measures.map((measure) => ({
    measure,
    rows: s.steps.map((st) => ({
      label: st.label,
      cells: s.methods.map((m) => {
        const x = s.summaries.find((y) => y.step === st.step && y.method === m && y.measure === measure);
        if (!x || x.mean === null) return { mean: '--', interval: null };
        // Step 0 is 1 by definition (no interval worth printing).
        return { mean: fmt(x.mean), interval: x.ci95 && x.ci95[1] - x.ci95[0] > 0 ? `${fmt(x.ci95[0])}, ${fmt(x.ci95[1])}` : null };
      }),
    })),
  }));
}

export function sanityCaption(s: SanityJobSummary): string {
  const what = s.test === 'data'
    ? "similarity of the random-label model's maps to the true-label model's maps"
    : "similarity of each step's maps to the trained model's maps (layers randomized from the top)";
  return `${TEST_NAMES[s.test]}: mean ${what} over ${s.dataset.images} image(s), seed ${s.seed}; brackets: 95% bootstrap interval of the mean`;
}

export function sanityTableLatex(s: SanityJobSummary, label: string, digits = 2): string {
  const blocks = wide(s, digits);
  const cols = s.methods.length + 1;
  const cell = (c: WideCell) => (c.interval ? `${c.mean} {\\scriptsize [${c.interval}]}` : c.mean);
  const lines = [
    LATEX_PREAMBLE_NOTE,
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${latexEscape(sanityCaption(s))}.${blocks.length === 1 ? ` Measure: ${latexEscape(measureName(blocks[0].measure))}.` : ''}}`,
    `\\label{${label}}`,
    `\\begin{tabular}{l${'c'.repeat(s.methods.length)}}`,
    '\\toprule',
    `${s.test === 'data' ? 'Model' : 'Layers randomized'} & ${s.methods.map((m) => latexEscape(methodName(m))).join(' & ')} \\\\`,
  ];
  blocks.forEach((b) => {
    lines.push('\\midrule');
    if (blocks.length > 1) lines.push(`\\multicolumn{${cols}}{l}{\\emph{${latexEscape(measureName(b.measure))}}} \\\\`);
    for (const r of b.rows) lines.push(`${latexEscape(r.label)} & ${r.cells.map(cell).join(' & ')} \\\\`);
  });
  lines.push('\\bottomrule', '\\end{tabular}', '\\end{table}');
  return lines.join('\n') + '\n';
}

export function sanityTableMarkdown(s: SanityJobSummary, digits = 2): string {
  const esc = (x: string) => x.replace(/([|*_<>\\`])/g, '\\$1');
  const out = [`**${esc(sanityCaption(s))}.**`, ''];
  for (const b of wide(s, digits)) {
    out.push(`*${esc(measureName(b.measure))}*`, '', `| ${s.test === 'data' ? 'model' : 'layers randomized'} | ${s.methods.map((m) => esc(methodName(m))).join(' | ')} |`,
      `|---|${s.methods.map(() => '---:').join('|')}|`);
    for (const r of b.rows) out.push(`| ${esc(r.label)} | ${r.cells.map((c) => (c.interval ? `${c.mean} [${c.interval}]` : c.mean)).join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}

export async function sanityTable(service: WorkbenchService, job: JobRecord): Promise<Table> {
  const s = (await service.results.summary(job.id)) as SanityJobSummary;
  const label = `tab:sanity-${s.test}-job-${job.id}`;
  return {
    title: sanityCaption(s),
    label,
    columns: ['step', 'label', 'method', 'measure', 'n', 'mean', 'std', 'ci95 low', 'ci95 high'],
    rows: s.summaries.map((x) => [x.step, x.label, x.method, x.measure, x.n, r4(x.mean), r4(x.std), r4(x.ci95?.[0]), r4(x.ci95?.[1])]),
    json: { jobId: job.id, test: s.test, seed: s.seed, images: s.dataset.images, steps: s.steps, summaries: s.summaries },
    formatted: { latex: sanityTableLatex(s, label), markdown: sanityTableMarkdown(s) },
  };
}
