// SIC and AIC (docs/methods.md §4.4) are one protocol (info-curve.ts) read with two predictions: the target's softmax
// probability (SIC) or whether the top-1 is the target (AIC). An image's value is the AUC of its own curve, x100; the
// dataset value is the AUC of the pointwise median (PAIR's default; option: mean) of the images' curves, x100.
import type { Aggregate, ImageScore, Metric, MetricOptions } from './metric';
import { trapezoid } from './auc';
import { skippedByReason } from './aggregate';
import { infoCurve, infoGrid, infoSkipReason, infoPoints, infoStart, prepareInfo, INFO_THRESHOLDS, readCurve, type InfoCurveParams } from './info-curve';
import { median } from '../stats/median';
import { InfoCurveParamsSchema } from '../../../shared/metric-catalogue';
import { declaredMetricParams } from './metric-options';

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
    resolveParams: (o: MetricOptions) => {
      const d = declaredMetricParams(v.id, InfoCurveParamsSchema, o);
      return {
        thresholds: INFO_THRESHOLDS,
        randomFraction: 0.01,
        minProbability: d.minProbability,
        keepMonotone: true,
        gridPoints: 1000,
        aggregation: d.aggregation,
        webpQuality: d.webpQuality,
        prediction: v.prediction,
      };
    },
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
    resampler: (scores, p) => medianCurveResampler(scores, p, infoGrid(p.gridPoints)),
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

/**
 * aggregate(resample).value without building the resample: the columns of the scored images' curves are sorted once
 * per grid point; a resample's median at a grid point is then found by walking that order with the resample's counts
 * (O(images) per grid point, no allocation). Same values as median() of the column: the middle element, or the mean of
 * the two middle ones.
 */
function medianCurveResampler(scores: ImageScore[], p: InfoMetricParams, grid: Float64Array): (indices: Int32Array) => number {
  const usedAt = new Int32Array(scores.length).fill(-1);
  const curves: Float64Array[] = [];
  scores.forEach((s, i) => {
    if (s.value !== null && s.curve) {
      usedAt[i] = curves.length;
      curves.push(gridOf(s, grid));
    }
  });
  const u = curves.length;
  const G = grid.length;
  // Per grid point, the images in ascending order of their curve's value there, and those values (contiguous, so the
  // walk below reads memory in order).
  const order = new Int32Array(G * u);
  const sorted = new Float64Array(G * u);
  const column = Int32Array.from({ length: u }, (_, j) => j);
  // sameOrder[g]: the order at g is the order at g - 1 (curves cross rarely), so the middle ranks sit at the same
  // positions and need no new walk. Ties are broken by image, so equal columns give equal orders.
  const sameOrder = new Uint8Array(G);
  for (let g = 0; g < G; g++) {
    column.sort((a, b) => curves[a][g] - curves[b][g] || a - b);
    let same = g > 0;
    for (let r = 0; r < u; r++) {
      if (same && order[(g - 1) * u + r] !== column[r]) same = false;
      order[g * u + r] = column[r];
      sorted[g * u + r] = curves[column[r]][g];
    }
    sameOrder[g] = same ? 1 : 0;
  }
  const counts = new Int32Array(u);
  const y = new Float64Array(G);
  return (indices) => {
    counts.fill(0);
    let m = 0;
    for (let i = 0; i < indices.length; i++) {
      const j = usedAt[indices[i]];
      if (j >= 0) {
        counts[j]++;
        m++;
      }
    }
    if (m === 0) return NaN;
    // Ranks (0-based) of the middle: (m - 1) / 2 for odd m; m / 2 - 1 and m / 2 for even m.
    const hiRank = m >> 1;
    const loRank = m % 2 ? hiRank : hiRank - 1;
    // Positions (within a grid point's order) of the middle elements.
    let loAt = 0;
    let hiAt = 0;
    for (let g = 0; g < G; g++) {
      if (p.aggregation === 'mean') {
        // Summed in the resample's order, as aggregate() does.
        let s = 0;
        for (let i = 0; i < indices.length; i++) if (usedAt[indices[i]] >= 0) s += curves[usedAt[indices[i]]][g];
        y[g] = s / m;
        continue;
      }
      if (!sameOrder[g]) {
        let seen = 0;
        let r = 0;
        while (seen + counts[order[g * u + r]] <= loRank) seen += counts[order[g * u + r++]];
        loAt = r;
        while (seen + counts[order[g * u + r]] <= hiRank) seen += counts[order[g * u + r++]];
        hiAt = r;
      }
      y[g] = m % 2 ? sorted[g * u + hiAt] : (sorted[g * u + loAt] + sorted[g * u + hiAt]) / 2;
    }
    return 100 * trapezoid(grid, y);
  };
}
