// NEG (docs/methods.md §4.2): share of images keeping their top-1 while the least relevant pixels are blacked out (AUC x100); higher is better.
import { perturbationMetric } from './perturbation-metric';

export const neg = perturbationMetric({
  id: 'neg',
  title: 'NEG',
  summary: 'share of images keeping their top-1 while the least relevant pixels are blacked out (AUC x100)',
  direction: 'higher',
  ordering: 'least-first',
  y: 'top1-kept',
});
