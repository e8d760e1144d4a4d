// Pearson correlation of the raw signed maps (docs/methods.md §5.7.2). Invariant to positive affine rescaling of either map,
// so no normalization is needed; NaN when either map is constant.
import { pearsonCorrelation } from './correlation';
import { checkMapSizes, type SimilarityMeasure } from './measure';

export const pearson: SimilarityMeasure = {
  id: 'pearson',
  version: 1,
  title: 'Pearson',
  summary: 'Pearson correlation of the raw maps',
  compute(a, b, h, w) {
    checkMapSizes(a, b, h, w);
    return pearsonCorrelation(a, b);
  },
};
