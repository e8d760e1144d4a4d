// mF1 (docs/methods.md §4.5): the mean over images of the foreground F1 of the map thresholded at its mean (%). An image with no
// foreground in either the mask or the map scores 0, as sklearn's f1_score does by default.
import { segmentationMetric } from './segmentation-metric';

export const mf1 = segmentationMetric({
  id: 'mf1',
  title: 'mF1',
  summary: 'mean over images of the foreground F1 of the map thresholded at its mean (%)',
  perImage: (c) => (2 * c.tp + c.fp + c.fn > 0 ? (100 * 2 * c.tp) / (2 * c.tp + c.fp + c.fn) : 0),
});
