// PA, mIoU, mAP and mF1 share the per-image counts of segmentation-counts.ts; each reads them its own way. Images
// without a mask are skipped and counted. Values are percentages.
import type { Aggregate, ImageScore, Metric } from './metric';
import { imageSegmentation, type SegmentationCounts } from './segmentation-counts';
import { meanAggregate, skippedByReason } from './aggregate';

export type SegmentationParams = { foreground: 'map > mean'; mapNormalization: 'min-max' };

export interface SegmentationVariant {
  id: string;
  title: string;
  summary: string;
  /** The per-image value (for the paired test, and the mean when there is no dataset-level rule). */
  perImage(c: SegmentationCounts): number;
  /** The dataset value from the summed counts, for metrics that accumulate (PA, mIoU); else the per-image mean. */
  fromTotals?(c: Omit<SegmentationCounts, 'ap'>): number;
}

const COUNT_KEYS = ['tp', 'fp', 'fn', 'tn'] as const;

export function segmentationMetric(v: SegmentationVariant): Metric<SegmentationParams> {
  return {
    id: v.id,
    version: 1,
    title: v.title,
    summary: v.summary,
    direction: 'higher',
    resolveParams: () => ({ foreground: 'map > mean', mapNormalization: 'min-max' }),
    async score(image, map) {
      if (!image.mask) return { value: null, skipped: 'no ground-truth mask' };
      if (!map.map) return { value: null, skipped: 'map is not finite' };
      const c = imageSegmentation(image, map);
      return { value: v.perImage(c), counts: { tp: c.tp, fp: c.fp, fn: c.fn, tn: c.tn, ap: c.ap } };
    },
    aggregate(scores: ImageScore[]): Aggregate {
      if (!v.fromTotals) return meanAggregate(scores);
      const used = scores.filter((s) => s.value !== null && s.counts);
      const totals = { tp: 0, fp: 0, fn: 0, tn: 0 };
      for (const s of used) for (const k of COUNT_KEYS) totals[k] += s.counts![k];
      return { value: used.length ? v.fromTotals(totals) : NaN, images: used.length, skipped: skippedByReason(scores) };
    },
  };
}

/** IoU of foreground and of background, each intersection / union (0 when both are empty, as Chefer's eps-guarded ratio). */
export function iou(c: Omit<SegmentationCounts, 'ap'>): { fg: number; bg: number } {
  const ratio = (i: number, u: number) => (u > 0 ? i / u : 0);
  return { fg: ratio(c.tp, c.tp + c.fp + c.fn), bg: ratio(c.tn, c.tn + c.fn + c.fp) };
}
