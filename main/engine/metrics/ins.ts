// INS (docs/methods.md §4.2): probability of the clean top-1 while the least relevant pixels are blacked out (AUC x100); higher is better.
import { perturbationMetric } from './perturbation-metric';

export const ins = perturbationMetric({
  id: 'ins',
  title: 'INS',
  summary: 'probability of the clean top-1 while the least relevant pixels are blacked out (AUC x100)',
  direction: 'higher',
  ordering: 'least-first',
  y: 'probability',
});
