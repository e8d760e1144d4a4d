// DEL (docs/methods.md §4.2): probability of the clean top-1 while the most relevant pixels are blacked out (AUC x100); lower is better.
import { perturbationMetric } from './perturbation-metric';

export const del = perturbationMetric({
  id: 'del',
  title: 'DEL',
  summary: 'probability of the clean top-1 while the most relevant pixels are blacked out (AUC x100)',
  direction: 'lower',
  ordering: 'most-first',
  y: 'probability',
});
