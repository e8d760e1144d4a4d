// mIoU (docs/methods.md §4.5): the mean over background and foreground of intersection / union, each summed over the dataset (%).
import { iou, segmentationMetric } from './segmentation-metric';

const meanIou = (c: { tp: number; fp: number; fn: number; tn: number }) => {
  const { fg, bg } = iou(c);
  return (100 * (fg + bg)) / 2;
};

export const miou = segmentationMetric({
  id: 'miou',
  title: 'mIoU',
  summary: 'mean IoU of background and foreground of the map thresholded at its mean, over the dataset (%)',
  perImage: meanIou,
  fromTotals: meanIou,
});
