// The segmentation protocol (docs/methods.md §4.5; Chefer's imagenet_seg_eval): foreground =
// min-max map > its mean, against the ground-truth mask. Per image: the confusion counts (PA and mIoU accumulate them
// over the dataset) and the average precision of the pooled two-class scores [1 - map on background, map on
// foreground] (mAP averages it over images).
import type { ImageState } from './image-state';
import type { MapState } from './map-state';
import { averagePrecision } from './average-precision';

export interface SegmentationCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  ap: number;
}

export function segmentationCounts(map: Float32Array, mask: Uint8Array): SegmentationCounts {
  const n = map.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += map[i];
  mean /= n;
  let tp = 0, fp = 0, fn = 0, tn = 0;
  // One-hot [BG, FG] targets against scores [1 - map, map], flattened over both classes: the positives are the
  // true class's score at every pixel, the negatives the other class's.
  const positive = new Float32Array(n);
  const negative = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const fg = map[i] > mean;
    if (mask[i]) {
      if (fg) tp++; else fn++;
      positive[i] = map[i];
      negative[i] = 1 - map[i];
    } else {
      if (fg) fp++; else tn++;
      positive[i] = 1 - map[i];
      negative[i] = map[i];
    }
  }
  return { tp, fp, fn, tn, ap: averagePrecision(positive, negative) };
}

export function imageSegmentation(image: ImageState, map: MapState): SegmentationCounts {
  return map.memo('segmentation', () => segmentationCounts(map.map!, image.mask!));
}
