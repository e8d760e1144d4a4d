// NEG, POS, INS and DEL are one protocol (blackout-curve.ts) read four ways: the ordering (least relevant pixels
// first for NEG/INS, most relevant first for POS/DEL) and the y value (top-1 kept for NEG/POS, probability of the clean
// top-1 for INS/DEL). Each image's value is the trapezoid AUC of its curve over p, x100; the dataset value is their mean,
// which equals the AUC of the mean curve.
import type { Direction, Metric } from './metric';
import type { Ordering } from './map-order';
import { blackoutCurve, DEFAULT_FRACTIONS } from './blackout-curve';
import { meanCurve, trapezoid } from './auc';
import { meanAggregate } from './aggregate';

export type PerturbationParams = { ordering: Ordering; y: 'top1-kept' | 'probability'; fractions: number[]; blackout: 0 };

export interface PerturbationVariant {
  id: string;
  title: string;
  summary: string;
  direction: Direction;
  ordering: Ordering;
  y: PerturbationParams['y'];
}

export function perturbationMetric(v: PerturbationVariant): Metric<PerturbationParams> {
  return {
    id: v.id,
    version: 1,
    title: v.title,
    summary: v.summary,
    direction: v.direction,
    resolveParams: () => ({ ordering: v.ordering, y: v.y, fractions: DEFAULT_FRACTIONS, blackout: 0 }),
    async score(image, map, p) {
      if (!map.map) return { value: null, skipped: 'map is not finite' };
      const c = blackoutCurve(image, map, p.ordering, p.fractions);
      const y = p.y === 'top1-kept' ? c.match : c.prob;
      return { value: 100 * trapezoid(c.fractions, y), curve: { x: c.fractions, y } };
    },
    aggregate(scores, p) {
      const used = scores.filter((s) => s.value !== null && s.curve);
      return { ...meanAggregate(scores), curve: { x: p.fractions, y: meanCurve(used.map((s) => s.curve!.y)) } };
    },
  };
}
