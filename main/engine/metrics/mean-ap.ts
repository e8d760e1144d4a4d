// mAP (docs/methods.md §4.5): the mean over images of the average precision of the pooled two-class scores (%).
import { segmentationMetric } from './segmentation-metric';

export const meanAp = segmentationMetric({
  id: 'map',
  title: 'mAP',
  summary: 'mean over images of the average precision of [1 - map, map] against the one-hot mask (%)',
  perImage: (c) => 100 * c.ap,
});
