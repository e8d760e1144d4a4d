// The data randomization figure (paper Fig. 6): per similarity measure, a box per method of the per-image
// similarity between the maps of the true-label model and of the random-label model.
import type { ChartConfiguration } from 'chart.js';
import { colorFor, withAlpha } from './palette';

export interface BoxPlotData {
  title: string;
  /** Category labels, e.g. the similarity measures. */
  categories: string[];
  /** One group per method: for each category, the per-image values. */
  groups: Array<{ label: string; values: number[][] }>;
  yLabel: string;
  yRange?: [number, number];
}

export function boxPlotConfig(d: BoxPlotData): ChartConfiguration {
  const [ymin, ymax] = d.yRange ?? [-1, 1];
  return {
    // The boxplot controller comes from @sgratzl/chartjs-chart-boxplot, registered by whoever renders.
    type: 'boxplot' as 'bar',
    data: {
      labels: d.categories,
      datasets: d.groups.map((g, i) => ({
        label: g.label,
        data: g.values as unknown as number[],
        backgroundColor: withAlpha(colorFor(i), 0.35),
        borderColor: colorFor(i),
        borderWidth: 1.5,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: { display: true, text: d.title } },
      scales: { y: { min: ymin, max: ymax, title: { display: true, text: d.yLabel } } },
    },
  };
}
