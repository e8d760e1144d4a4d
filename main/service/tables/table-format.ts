// A Table (registry.ts) as a file: CSV, a LaTeX table, JSON or a markdown table.
import type { Table, TableCell } from './registry';

export const TABLE_FILE_FORMATS = ['csv', 'latex', 'json', 'markdown'] as const;
export type TableFileFormat = (typeof TABLE_FILE_FORMATS)[number];

export const TABLE_MIME: Record<TableFileFormat, string> = { csv: 'text/csv', latex: 'application/x-tex', json: 'application/json', markdown: 'text/markdown' };
export const TABLE_EXTENSION: Record<TableFileFormat, string> = { csv: 'csv', latex: 'tex', json: 'json', markdown: 'md' };

/** The first line of every LaTeX table: what the document's preamble must load (the rules are booktabs'). Bold,
 *  \underline, $^{\dagger}$ and \scriptsize are plain LaTeX and need nothing else. */
export const LATEX_PREAMBLE_NOTE = '% Needs \\usepackage{booktabs} in the preamble.';

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}',
  // OT1 text fonts would print < > | as ¡ ¿ —.
  '<': '\\textless{}', '>': '\\textgreater{}', '|': '\\textbar{}',
  // A cell starting with [ right after \\ or \midrule would be read as their optional argument.
  '[': '{[}', ']': '{]}',
};

/** Escapes LaTeX's special characters in plain text (method and configuration names, labels, captions), in one pass
 *  so that the braces of \textbackslash{} are not escaped again. */
export function latexEscape(s: string): string {
  return s.replace(/[\\{}&%$#_~^<>|[\]]/g, (ch) => LATEX_SPECIALS[ch] ?? `\\${ch}`);
}

/** A LaTeX \label: the given one, else "tab:" and the title's first words ("tab:cascading-randomization-mean"). */
export function latexLabel(t: { title: string; label?: string }): string {
  const raw = t.label ?? `tab:${t.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').split('-').slice(0, 4).join('-') || 'table'}`;
  return raw.replace(/[^A-Za-z0-9:_.-]/g, '');
}

/** A CSV field, quoted when it holds a quote, a comma or a line break. */
export function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatTable(t: Table, format: TableFileFormat): string {
  switch (format) {
    case 'csv': {
      const cell = (v: TableCell) => csvField(v === null ? '' : String(v));
      return [t.columns, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
    }
    case 'latex': {
      const esc = (v: TableCell) => (v === null ? '--' : latexEscape(String(v)));
      const align = t.columns.map((_, i) => (t.rows.every((r) => typeof r[i] === 'number' || r[i] === null) ? 'r' : 'l')).join('');
      // Caption and label above the table (booktabs' convention); every LaTeX table has both.
      return [
        LATEX_PREAMBLE_NOTE, '\\begin{table}[t]', '\\centering', `\\caption{${esc(t.title)}.}`, `\\label{${latexLabel(t)}}`, `\\begin{tabular}{${align}}`, '\\toprule',
        (t.displayColumns ?? t.columns).map(esc).join(' & ') + ' \\\\', '\\midrule', ...t.rows.map((r) => r.map(esc).join(' & ') + ' \\\\'), '\\bottomrule', '\\end{tabular}', '\\end{table}',
      ].join('\n') + '\n';
    }
    case 'json':
      return JSON.stringify(t.json ?? t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]]))), null, 2) + '\n';
    case 'markdown': {
      const cell = (v: TableCell) => (v === null ? '' : String(v).replace(/\|/g, '\\|'));
      return [`**${t.title}**`, '', `| ${(t.displayColumns ?? t.columns).join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`,
        ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
    }
  }
}
