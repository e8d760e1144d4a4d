// The charts a job's results make, as data (what `results.charts` answers), and the one function that turns each into
// a Chart.js configuration. The renderer draws that configuration on a canvas; the server's figure export hands the
// same configuration to main/figures (PNG, SVG, PDF), so a chart on screen and its exported figure cannot differ
// (an exported figure only takes its paper size, fonts and, unless asked, no title: shared/charts/figure-style.ts).
// Method names and colours come from shared/method-display.ts, the same in every chart.
import type { ChartConfiguration } from 'chart.js';
import { barChartConfig, type BarChartData } from './charts/bars';
import { boxPlotConfig, type BoxPlotData } from './charts/box-plot';
import { styleChart, type ChartStyle } from './charts/figure-style';
import { metricCurveConfig, type MetricCurveData } from './charts/metric-curves';
import { sanityCurveConfig, type SanityCurveData } from './charts/sanity-curves';
import { trainingCurveConfig, type TrainingCurveData } from './charts/training-curves';

export const FIGURE_FORMATS = ['png', 'svg', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];
export const TABLE_FORMATS = ['csv', 'tex'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export { barChartConfig, type BarChartData };

interface ChartBase {
  /** Stable within a job: names the chart in `export.chart`. */
  id: string;
  title: string;
  /** Size on screen in CSS pixels (its aspect ratio; exported figures take a paper size). */
  width: number;
  height: number;
}

export type ChartSpec =
  | (ChartBase & { kind: 'sanity-curves'; data: SanityCurveData })
  | (ChartBase & { kind: 'box-plot'; data: BoxPlotData })
  | (ChartBase & { kind: 'bars'; data: BarChartData })
  /** A metrics job's aggregated NEG/POS/INS/DEL/SIC/AIC curves, one line per method (shared/charts/metric-curves.ts). */
  | (ChartBase & { kind: 'metric-curves'; data: MetricCurveData })
  /** A train job's accuracy and loss per epoch (shared/charts/training-curves.ts). */
  | (ChartBase & { kind: 'training-curves'; data: TrainingCurveData });

function baseConfig(spec: ChartSpec): ChartConfiguration {
  switch (spec.kind) {
    case 'sanity-curves':
      return sanityCurveConfig(spec.data) as ChartConfiguration;
    case 'box-plot':
      return boxPlotConfig(spec.data);
    case 'bars':
      return barChartConfig(spec.data) as ChartConfiguration;
    case 'metric-curves':
      return metricCurveConfig(spec.data) as ChartConfiguration;
    case 'training-curves':
      return trainingCurveConfig(spec.data) as ChartConfiguration;
  }
}

/** The chart's configuration; `style` sets the title and the fonts of an exported figure (default: as on screen). */
export function chartConfig(spec: ChartSpec, style?: ChartStyle): ChartConfiguration {
  const config = baseConfig(spec);
  return style ? styleChart(config, style) : config;
}
