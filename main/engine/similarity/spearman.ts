// Spearman rank correlation between two maps (docs/methods.md §5.7.1): Pearson's r of their average ranks (ties share the
// mean rank, as scipy.stats.spearmanr). Two variants, as Adebayo et al. report: of |map| (does the importance
// ordering survive, whatever the sign?) and of the signed map. Adebayo et al. rank their visualization-normalized
// maps; for 2-D maps those normalizations (|m|/max|m|, m/max|m|) are monotone, so the ranks, and r, are the same.
// A constant map (after |.| for the first variant) has no ranking: the result is NaN.
import { pearsonCorrelation } from './correlation';
import { averageRanks } from './ranks';
import { checkMapSizes, type SimilarityMeasure } from './measure';

export function spearmanCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearsonCorrelation(averageRanks(a), averageRanks(b));
}

function absolute(m: ArrayLike<number>): Float64Array {
  return Float64Array.from(m as ArrayLike<number>, Math.abs);
}

export const spearmanAbs: SimilarityMeasure = {
  id: 'spearman-abs',
  version: 1,
  title: 'Spearman (absolute)',
  summary: 'rank correlation of |map| (average ranks for ties)',
  compute(a, b, h, w) {
    checkMapSizes(a, b, h, w);
    return spearmanCorrelation(absolute(a), absolute(b));
  },
};

export const spearmanSigned: SimilarityMeasure = {
  id: 'spearman-signed',
  version: 1,
  title: 'Spearman (signed)',
  summary: 'rank correlation of the signed map (average ranks for ties)',
  compute(a, b, h, w) {
    checkMapSizes(a, b, h, w);
    return spearmanCorrelation(a, b);
  },
};
