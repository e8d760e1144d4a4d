// A metrics job's table as the Results view shows it (the paper's Tables 1, 3, 5, as main/service/tables/metrics-table.ts
// prints it): metrics as rows, methods as columns, each cell its value and 95% interval, per row the best bold and the
// second underlined by the metric's direction (tied values share a rank), a dagger where the best is significantly better.
import { SIGNIFICANCE_LEVEL, type MetricRow } from '../../../shared/metrics-summary';
import { metricName } from '../../../shared/method-display';

export interface MetricTableCell {
  value: number;
  low: number;
  high: number;
  rank: 'best' | 'second' | null;
  /** Holm-corrected p of the best against this method, when tested. */
  pHolm: number | null;
  significant: boolean;
}

export interface MetricTableRow {
  id: string;
  label: string;
  title: string;
  direction: 'higher' | 'lower';
  cells: Array<MetricTableCell | null>;
}


export function metricTable(rows: readonly MetricRow[]): { methods: string[]; rows: MetricTableRow[] } {
  const methods: string[] = [];
  for (const r of rows) for (const c of r.cells) if (!methods.includes(c.method)) methods.push(c.method);
  return {
    methods,
    rows: rows.map((r) => {
      const ranked = [...new Set(r.cells.map((c) => c.value).filter((v) => Number.isFinite(v)))].sort((a, b) => (r.direction === 'higher' ? b - a : a - b));
      return {
        id: r.metric.id,
        label: metricName(r.metric.id),
        title: r.title,
        direction: r.direction,
        cells: methods.map((m) => {
          const c = r.cells.find((x) => x.method === m);
          if (!c) return null;
          const t = r.tests.find((x) => x.method === m);
          const pHolm = t && Number.isFinite(t.pHolm) ? t.pHolm : null;
          return {
            value: c.value, low: c.interval.low, high: c.interval.high,
            rank: c.value === ranked[0] ? 'best' : c.value === ranked[1] ? 'second' : null,
            pHolm, significant: pHolm !== null && pHolm < SIGNIFICANCE_LEVEL,
          };
        }),
      };
    }),
  };
}

export { SIGNIFICANCE_LEVEL };
