// A Table (registry.ts) as a file: CSV, a LaTeX table, JSON or a markdown table.
import type { Table, TableCell } from './registry';

export const TABLE_FILE_FORMATS = ['csv', 'latex', 'json', 'markdown'] as const;
export type TableFileFormat = (typeof TABLE_FILE_FORMATS)[number];

export const TABLE_MIME: Record<TableFileFormat, string> = { csv: 'text/csv', latex: 'application/x-tex', json: 'application/json', markdown: 'text/markdown' };
export const TABLE_EXTENSION: Record<TableFileFormat, string> = { csv: 'csv', latex: 'tex', json: 'json', markdown: 'md' };

export function formatTable(t: Table, format: TableFileFormat): string {
  switch (format) {
    case 'csv': {
      const cell = (v: TableCell) => {
        const s = v === null ? '' : String(v);
        return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      };
      return [t.columns, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
    }
    case 'latex': {
      const esc = (v: TableCell) => (v === null ? '--' : String(v).replace(/\\/g, '\\textbackslash{}').replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}'));
      const align = t.columns.map((_, i) => (t.rows.every((r) => typeof r[i] === 'number' || r[i] === null) ? 'r' : 'l')).join('');
      return [
        '\\begin{table}[t]', '\\centering', `\\begin{tabular}{${align}}`, '\\hline', t.columns.map(esc).join(' & ') + ' \\\\', '\\hline',
        ...t.rows.map((r) => r.map(esc).join(' & ') + ' \\\\'), '\\hline', '\\end{tabular}', `\\caption{${esc(t.title)}}`, '\\end{table}',
      ].join('\n') + '\n';
    }
    case 'json':
      return JSON.stringify(t.json ?? t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]]))), null, 2) + '\n';
    case 'markdown': {
      const cell = (v: TableCell) => (v === null ? '' : String(v).replace(/\|/g, '\\|'));
      return [`**${t.title}**`, '', `| ${t.columns.join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`,
        ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
    }
  }
}
