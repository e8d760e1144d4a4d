// One bar per category (a method, usually), in the method's own colour, with its 95% interval as a whisker when
// given, and axis titles that say what is measured. The value axis fits the bars and whiskers, from 0.
import type { ChartConfiguration } from 'chart.js';
import { seriesStyles } from '../method-display';
import { fitAxis, fittedScale } from './axes';

export interface BarChartData {
  title: string;
  /** Method ids (or other labels): drawn with their display names and colours. */
  categories: string[];
  values: Array<number | null>;
  /** A 95% interval per bar (whiskers), or null where there is none. */
  intervals?: Array<[number, number] | null>;
  /** Value axis title, e.g. "INS (AUC x100, higher is better)". */
  yLabel: string;
  /** Category axis title, e.g. "method". */
  xLabel?: string;
}

export function barChartConfig(d: BarChartData): ChartConfiguration<'bar'> {
  const styles = seriesStyles(d.categories);
  const fit = fitAxis([...d.values, ...(d.intervals ?? []).flatMap((iv) => iv ?? [])], { include: [0] });
  return {
    type: 'bar',
    data: {
      labels: styles.map((s) => s.name),
      datasets: [{ label: d.yLabel, data: d.values, backgroundColor: styles.map((s) => s.color), borderWidth: 0, maxBarThickness: 64 }],
    },
    options: {
      animation: false,
      responsive: false,
      plugins: {
        title: { display: true, text: d.title },
        legend: { display: false },
        // @ts-expect-error: options of the project's own plugin
        dixErrorBars: { intervals: d.intervals ?? [] },
      },
      scales: {
        x: { title: { display: Boolean(d.xLabel), text: d.xLabel ?? '' } },
        y: { title: { display: true, text: d.yLabel }, ...fittedScale(fit) },
      },
    },
  };
}
