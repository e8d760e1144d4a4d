// The curve charts of a metrics job for `results.charts`: one 'metric-curves' chart per curve metric it scored
// (NEG/POS/INS/DEL/SIC/AIC), from the same data as `dixw export figure --kind curves` (figures/metric-curves-figure.ts),
// so the chart on screen and its exported figure are one configuration (shared/charts/metric-curves.ts).
import type { ChartSpec } from '../../shared/api-charts';
import type { MetricsJobSummary } from '../../shared/metrics-summary';
import { CURVE_METRICS, metricCurveData } from './figures/metric-curves-figure';

export const METRIC_CURVE_CHART_PREFIX = 'curves-';

export function metricCurveCharts(summary: MetricsJobSummary): ChartSpec[] {
  return summary.table
    .filter((r) => (CURVE_METRICS as readonly string[]).includes(r.metric.id) && r.cells.some((c) => c.curve))
    .map((r) => {
      const data = metricCurveData(summary, r.metric.id);
      return { id: `${METRIC_CURVE_CHART_PREFIX}${r.metric.id}`, title: data.title, kind: 'metric-curves', data, width: 720, height: 420 } as ChartSpec;
    });
}
