// POS (docs/methods.md §4.2): share of images keeping their top-1 while the most relevant pixels are blacked out (AUC x100); lower is better.
import { perturbationMetric } from './perturbation-metric';

export const pos = perturbationMetric({
  id: 'pos',
  title: 'POS',
  summary: 'share of images keeping their top-1 while the most relevant pixels are blacked out (AUC x100)',
  direction: 'lower',
  ordering: 'most-first',
  y: 'top1-kept',
});
