// The data randomization figure (paper Fig. 6): per similarity measure, a box per method of the per-image
// similarity between the maps of the true-label model and of the random-label model. The y axis fits every value.
import type { ChartConfiguration } from 'chart.js';
import { seriesStyles } from '../method-display';
import { fitAxis, fittedScale } from './axes';
import { withAlpha } from './palette';

export interface BoxPlotData {
  title: string;
  /** Category labels, e.g. the similarity measures' display names. */
  categories: string[];
  /** One group per method (label: the method id): for each category, the per-image values. */
  groups: Array<{ label: string; values: number[][] }>;
  yLabel: string;
  /** [min, max] of the y axis; default fitted to the values (with 0), within [-1, 1]. */
  yRange?: [number, number];
}

export function boxPlotConfig(d: BoxPlotData): ChartConfiguration {
  const styles = seriesStyles(d.groups.map((g) => g.label));
  const fit = fitAxis(d.yRange ?? d.groups.flatMap((g) => g.values.flat()), { include: d.yRange ? [] : [0], bounds: d.yRange ? undefined : [-1, 1] });
  return {
    // The boxplot controller comes from @sgratzl/chartjs-chart-boxplot, registered by whoever renders.
    type: 'boxplot' as 'bar',
    data: {
      labels: d.categories,
      datasets: d.groups.map((g, i) => ({
        label: styles[i].name,
        data: g.values as unknown as number[],
        backgroundColor: withAlpha(styles[i].color, 0.35),
        borderColor: styles[i].color,
        borderWidth: 1.5,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: { display: true, text: d.title } },
      scales: { y: { title: { display: true, text: d.yLabel }, ...fittedScale(d.yRange ? { ...fit, min: d.yRange[0], max: d.yRange[1] } : fit) } },
    },
  };
}
