// PA, pixel accuracy (docs/methods.md §4.5): correctly labelled pixels over all pixels, counts summed over the dataset (%).
import { segmentationMetric } from './segmentation-metric';

const accuracy = (c: { tp: number; fp: number; fn: number; tn: number }) => (100 * (c.tp + c.tn)) / (c.tp + c.fp + c.fn + c.tn);

export const pa = segmentationMetric({
  id: 'pa',
  title: 'PA',
  summary: 'pixel accuracy of the map thresholded at its mean against the mask, over the dataset (%)',
  perImage: accuracy,
  fromTotals: accuracy,
});
