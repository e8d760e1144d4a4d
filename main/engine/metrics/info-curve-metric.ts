// SIC and AIC (SPEC Sec. 4) are one protocol (info-curve.ts) read with two predictions: the target's softmax
// probability (SIC) or whether the top-1 is the target (AIC). An image's value is the AUC of its own curve, x100; the
// dataset value is the AUC of the pointwise median (PAIR's default; option: mean) of the images' curves, x100.
import type { Aggregate, ImageScore, Metric, MetricOptions } from './metric';
import { trapezoid } from './auc';
import { skippedByReason } from './aggregate';
import { infoCurve, infoGrid, infoSkipReason, infoPoints, infoStart, prepareInfo, INFO_THRESHOLDS, readCurve, type InfoCurveParams } from './info-curve';
import { median } from '../stats/median';
import { WEBP_QUALITY } from './webp-size';
import { aggregationOf, numberInRange } from './metric-options';

export type InfoMetricParams = InfoCurveParams & { prediction: 'softmax' | 'accuracy' };

const grids = new WeakMap<ImageScore, Float64Array>();

function gridOf(s: ImageScore, grid: Float64Array): Float64Array {
  let g = grids.get(s);
  if (!g || g.length !== grid.length) {
    g = readCurve(s.curve!, grid);
    grids.set(s, g);
  }
  return g;
}

export function infoCurveMetric(v: { id: string; title: string; summary: string; prediction: 'softmax' | 'accuracy' }): Metric<InfoMetricParams> {
  return {
    id: v.id,
    version: 1,
    title: v.title,
    summary: v.summary,
    direction: 'higher',
    needsMask: false,
    resolveParams: (o: MetricOptions) => ({
      thresholds: INFO_THRESHOLDS,
      randomFraction: 0.01,
      minProbability: numberInRange('minProbability', o.minProbability, 0.5, 0, 1),
      keepMonotone: true,
      gridPoints: 1000,
      aggregation: aggregationOf(o),
      webpQuality: numberInRange('webpQuality', o.webpQuality, WEBP_QUALITY, 0, 100),
      prediction: v.prediction,
    }),
    prepare: (image, map, p) => prepareInfo(image, map, p),
    async score(image, map, p) {
      if (!map.map) return { value: null, skipped: 'map is not finite' };
      const start = await infoStart(image, p);
      // Skipped images are known before any map-specific work.
      const skipped = infoSkipReason(start, image.targetClass, p.prediction, p);
      if (skipped) return { value: null, skipped };
      const r = infoCurve(start, await infoPoints(image, map, p), image.targetClass, p.prediction, p);
      if ('skipped' in r) return { value: null, skipped: r.skipped };
      const grid = infoGrid(p.gridPoints);
      const score: ImageScore = { value: 0, curve: r.curve };
      score.value = 100 * trapezoid(grid, gridOf(score, grid));
      return score;
    },
    aggregate(scores, p): Aggregate {
      const used = scores.filter((s) => s.value !== null && s.curve);
      const grid = infoGrid(p.gridPoints);
      const skipped = skippedByReason(scores);
      if (used.length === 0) return { value: NaN, images: 0, skipped };
      const curves = used.map((s) => gridOf(s, grid));
      const column = new Float64Array(used.length);
      const y = Array.from(grid, (_, g) => {
        curves.forEach((c, i) => (column[i] = c[g]));
        return p.aggregation === 'median' ? median(column) : column.reduce((a, b) => a + b, 0) / column.length;
      });
      return { value: 100 * trapezoid(grid, y), curve: { x: Array.from(grid), y }, images: used.length, skipped };
    },
  };
}
