// The cascading / independent randomization figure (paper Fig. 4-5; Adebayo et al. Fig. 2): x = the model with
// layers randomized from the top, y = a similarity measure between the trained model's map and the randomized one,
// one line per method with its 95% interval as a band, and a dashed line where randomization starts.
import type { ChartConfiguration } from 'chart.js';
import { colorFor, dashFor, withAlpha } from './palette';

export interface CurveSeries {
  label: string;
  mean: number[];
  lower: number[];
  upper: number[];
}

export interface SanityCurveData {
  title: string;
  /** y-axis label, e.g. "Spearman rank correlation (|map|)". */
  measure: string;
  /** One label per step: "original", then the layer randomized at that step. */
  steps: string[];
  series: CurveSeries[];
  /** Step index of the first randomized model (1 when step 0 is the trained model). */
  randomizationStartsAt: number;
  /** [min, max] of the y axis; default [-0.2, 1.05] for correlations. */
  yRange?: [number, number];
}

export function sanityCurveConfig(d: SanityCurveData): ChartConfiguration<'line'> {
  const datasets: ChartConfiguration<'line'>['data']['datasets'] = [];
  d.series.forEach((s, i) => {
    const c = colorFor(i);
    // Band: upper filled down to the lower dataset that follows it ('+1').
    datasets.push({ label: `${s.label} 95% upper`, data: s.upper, borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: withAlpha(c, 0.18) });
    datasets.push({ label: `${s.label} 95% lower`, data: s.lower, borderWidth: 0, pointRadius: 0, fill: false });
    datasets.push({ label: s.label, data: s.mean, borderColor: c, backgroundColor: c, borderDash: dashFor(i), borderWidth: 2, pointRadius: 3, fill: false });
  });
  const [ymin, ymax] = d.yRange ?? [-0.2, 1.05];
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
        y: { title: { display: true, text: d.measure }, min: ymin, max: ymax },
      },
    },
  };
}
