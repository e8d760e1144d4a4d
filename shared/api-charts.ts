// The charts a job's results make, as data (what `results.charts` answers), and the one function that turns each into
// a Chart.js configuration. The renderer draws that configuration on a canvas; the server's figure export hands the
// same configuration to main/figures (PNG, SVG, PDF), so a chart on screen and its exported figure cannot differ.
import type { ChartConfiguration } from 'chart.js';
import { boxPlotConfig, type BoxPlotData } from './charts/box-plot';
import { metricCurveConfig, type MetricCurveData } from './charts/metric-curves';
import { colorFor } from './charts/palette';
import { sanityCurveConfig, type SanityCurveData } from './charts/sanity-curves';

export const FIGURE_FORMATS = ['png', 'svg', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];
export const TABLE_FORMATS = ['csv', 'tex'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** One bar per category (e.g. per method), in the method palette. */
export interface BarChartData {
  title: string;
  categories: string[];
  values: Array<number | null>;
  yLabel: string;
}

interface ChartBase {
  /** Stable within a job: names the chart in `export.chart`. */
  id: string;
  title: string;
  /** Figure size in CSS pixels (the exported figure's size at 96 DPI). */
  width: number;
  height: number;
}

export type ChartSpec =
  | (ChartBase & { kind: 'sanity-curves'; data: SanityCurveData })
  | (ChartBase & { kind: 'box-plot'; data: BoxPlotData })
  | (ChartBase & { kind: 'bars'; data: BarChartData })
  /** A metrics job's aggregated NEG/POS/INS/DEL/SIC/AIC curves, one line per method (shared/charts/metric-curves.ts). */
  | (ChartBase & { kind: 'metric-curves'; data: MetricCurveData });

export function barChartConfig(d: BarChartData): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: d.categories,
      datasets: [{ label: d.yLabel, data: d.values, backgroundColor: d.categories.map((_, i) => colorFor(i)), borderWidth: 0 }],
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: { display: true, text: d.title }, legend: { display: false } },
      scales: { y: { beginAtZero: true, title: { display: true, text: d.yLabel } } },
    },
  };
}

export function chartConfig(spec: ChartSpec): ChartConfiguration {
  switch (spec.kind) {
    case 'sanity-curves':
      return sanityCurveConfig(spec.data) as ChartConfiguration;
    case 'box-plot':
      return boxPlotConfig(spec.data);
    case 'bars':
      return barChartConfig(spec.data) as ChartConfiguration;
    case 'metric-curves':
      return metricCurveConfig(spec.data) as ChartConfiguration;
  }
}
