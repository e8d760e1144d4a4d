// The curves behind a metric table (paper Fig. 6-7 style): for NEG/POS/INS/DEL the share of images keeping their
// class (NEG, POS) or the mean probability of the clean top-1 class (INS, DEL) against the fraction of pixels blacked
// out; for SIC/AIC the (median) softmax probability or top-1 accuracy against the normalized information (WebP size)
// of the partially revealed image. One line per method, its AUC in the legend.
import type { ChartConfiguration } from 'chart.js';
import { seriesStyles } from '../method-display';
import { fittedScale, niceStep } from './axes';

export interface MetricCurveSeries {
  /** The method id or configuration name (drawn with its display name and colour, shared/method-display.ts). */
  label: string;
  x: number[];
  y: number[];
  /** The table's value (AUC x100), shown in the legend. */
  auc?: number;
}

export interface MetricCurveData {
  title: string;
  xLabel: string;
  yLabel: string;
  series: MetricCurveSeries[];
  /** [min, max] of the y axis; default [0, 1]. */
  yRange?: [number, number];
}

/** Axis labels of each curve metric. */
export const METRIC_CURVE_AXES: Record<string, { x: string; y: string }> = {
  neg: { x: 'fraction of pixels blacked out, least relevant first', y: 'share of images keeping the clean top-1' },
  pos: { x: 'fraction of pixels blacked out, most relevant first', y: 'share of images keeping the clean top-1' },
  ins: { x: 'fraction of pixels blacked out, least relevant first', y: 'mean probability of the clean top-1' },
  del: { x: 'fraction of pixels blacked out, most relevant first', y: 'mean probability of the clean top-1' },
  sic: { x: 'normalized information (WebP size)', y: 'softmax probability of the class (median)' },
  aic: { x: 'normalized information (WebP size)', y: 'top-1 is the class (median)' },
};

export function metricCurveConfig(d: MetricCurveData): ChartConfiguration<'line'> {
  const [ymin, ymax] = d.yRange ?? [0, 1];
  const styles = seriesStyles(d.series.map((s) => s.label));
  return {
    type: 'line',
    data: {
      datasets: d.series.map((s, i) => ({
        label: s.auc === undefined || !Number.isFinite(s.auc) ? styles[i].name : `${styles[i].name} (${s.auc.toFixed(1)})`,
        data: s.x.map((x, k) => ({ x, y: s.y[k] })),
        borderColor: styles[i].color,
        backgroundColor: styles[i].color,
        borderDash: styles[i].dash,
        borderWidth: 1.75,
        // Points only on short curves (NEG/POS/INS/DEL: 10); SIC/AIC are read at 1001.
        pointRadius: s.x.length > 40 ? 0 : 2,
        fill: false,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: { display: true, text: d.title }, legend: { position: 'top' } },
      scales: {
        x: { type: 'linear', title: { display: true, text: d.xLabel }, ...fittedScale({ min: 0, max: 1, step: 0.25 }) },
        y: { title: { display: true, text: d.yLabel }, ...fittedScale({ min: ymin, max: ymax, step: niceStep((ymax - ymin) / 4) }) },
      },
    },
  };
}
