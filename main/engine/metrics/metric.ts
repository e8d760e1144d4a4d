// One interface for every evaluation metric (docs/methods.md §4). A metric scores one (image, map) pair, from what the image
// state and the map state share between metrics (one clean forward pass per image, one perturbation curve per map and
// ordering), and aggregates per-image scores into the dataset value that a table shows. Its protocol card (id, version,
// every parameter) is stored with every score.
import type { z } from 'zod';
import type { METRIC_OPTIONS, MetricOptionKey } from '../../../shared/metric-catalogue';
import type { ImageState } from './image-state';
import type { MapState } from './map-state';

export type Direction = 'higher' | 'lower';

export interface Curve {
  x: number[];
  y: number[];
}

export interface ImageScore {
  /** The per-image value (also what the paired test compares), or null when the image was skipped. */
  value: number | null;
  curve?: Curve;
  /** Counts that a dataset-level aggregate accumulates (segmentation). */
  counts?: Record<string, number>;
  /** Why the image was skipped. */
  skipped?: string;
}

export interface Aggregate {
  value: number;
  curve?: Curve;
  /** Images that contributed. */
  images: number;
  /** Skipped images, by reason. */
  skipped: Record<string, number>;
}

export interface MetricCard {
  id: string;
  version: number;
  params: Record<string, unknown>;
}

/** Options a caller may give any metric (declared in shared/metric-catalogue.ts); each takes those its schema declares. */
export type MetricOptions = { [K in MetricOptionKey]?: z.infer<(typeof METRIC_OPTIONS)[K]> };

export interface Metric<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  /** Bumped when the computation changes, so stored scores of an older protocol are not mixed in. */
  version: number;
  title: string;
  summary: string;
  direction: Direction;
  resolveParams(options: MetricOptions): P;
  /**
   * Optional: starts work for this image and map that can run beside the model on worker threads (SIC/AIC's images
   * and WebP encodings). Called for every map of an image before any is scored; score() must not depend on it.
   */
  prepare?(image: ImageState, map: MapState, params: P): void;
  score(image: ImageState, map: MapState, params: P): Promise<ImageScore>;
  aggregate(scores: ImageScore[], params: P): Aggregate;
  /**
   * Optional: a fast form of `aggregate(resampled scores).value` for a bootstrap over these scores, given the resample
   * as indices into them; it must return the same numbers. For metrics whose aggregate is costly (SIC/AIC's median
   * curve over 1001 grid points), so that a table's intervals take seconds, not minutes.
   */
  resampler?(scores: ImageScore[], params: P): (indices: Int32Array) => number;
}

export type AnyMetric = Metric<Record<string, unknown>>;

export function protocolCard(metric: AnyMetric, params: Record<string, unknown>): MetricCard {
  return { id: metric.id, version: metric.version, params };
}
