// The cascading / independent randomization figure (paper Fig. 4-5; Adebayo et al. Fig. 2): x = the model with
// layers randomized from the top, y = a similarity measure between the trained model's map and the randomized one,
// one line per method with its 95% interval as a band, and a dashed line where randomization starts. The y axis
// fits every mean and band (a curve that falls to -0.6 is drawn whole), on round ticks.
import type { ChartConfiguration } from 'chart.js';
import { seriesStyles } from '../method-display';
import { fitAxis, fittedScale } from './axes';
import { withAlpha } from './palette';

export interface CurveSeries {
  /** The method id (the chart shows its display name and colour, shared/method-display.ts). */
  label: string;
  mean: number[];
  lower: number[];
  upper: number[];
}

export interface SanityCurveData {
  title: string;
  /** y-axis label, e.g. "Spearman (|map|)". */
  measure: string;
  /** One label per step: "trained", then the layer randomized at that step. */
  steps: string[];
  series: CurveSeries[];
  /** Step index of the first randomized model (1 when step 0 is the trained model). */
  randomizationStartsAt: number;
  /** [min, max] of the y axis; default: fitted to the means and bands, within the measure's bounds. */
  yRange?: [number, number];
  /** The measure's own bounds (default [-1, 1], a correlation's). */
  bounds?: [number, number];
}

/** The y axis of the curves: every mean and band value, and 0 and 1 (no similarity, the trained model's). */
export function sanityCurveAxis(d: SanityCurveData) {
  if (d.yRange) {
    const fit = fitAxis(d.yRange);
    return { ...fit, min: d.yRange[0], max: d.yRange[1] };
  }
  return fitAxis(d.series.flatMap((s) => [...s.mean, ...s.lower, ...s.upper]), { include: [0, 1], bounds: d.bounds ?? [-1, 1] });
}

export function sanityCurveConfig(d: SanityCurveData): ChartConfiguration<'line'> {
  const datasets: ChartConfiguration<'line'>['data']['datasets'] = [];
  const styles = seriesStyles(d.series.map((s) => s.label));
  d.series.forEach((s, i) => {
    const { name, color: c, dash } = styles[i];
    // Band: upper filled down to the lower dataset that follows it ('+1').
    datasets.push({ label: `${name} 95% upper`, data: s.upper, borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: withAlpha(c, 0.18) });
    datasets.push({ label: `${name} 95% lower`, data: s.lower, borderWidth: 0, pointRadius: 0, fill: false });
    // clip: the markers at 1.0 (the trained model) sit on the top edge and are drawn whole.
    datasets.push({ label: name, data: s.mean, borderColor: c, backgroundColor: c, borderDash: dash, borderWidth: 2, pointRadius: 3, fill: false, clip: 6 });
  });
  const axis = sanityCurveAxis(d);
  return {
    type: 'line',
    data: { labels: d.steps, datasets },
    options: {
      animation: false,
      responsive: false,
      plugins: {
        title: { display: true, text: d.title },
        legend: { labels: { filter: (item) => !/95% (upper|lower)$/.test(item.text) } },
        // @ts-expect-error: options of the project's own plugin
        dixVerticalLine: { index: d.randomizationStartsAt, label: 'randomization' },
      },
      scales: {
        x: { title: { display: true, text: 'layers randomized, from the top' }, ticks: { maxRotation: 60, minRotation: 45, autoSkip: false } },
        y: { title: { display: true, text: d.measure }, ...fittedScale(axis) },
      },
    },
  };
}
