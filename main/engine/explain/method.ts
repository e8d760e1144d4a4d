// One interface for every explanation method (Captum-style: one file per method, one signature). A method reads
// what it needs from a per-image context (activations and gradients cached across methods) and returns a raw map at
// the input's resolution, before any normalization.
import type { tf } from '../tf';
import type { CutPoint } from '../model/cut-points';
import type { VisionModel } from '../model/vision-model';
import type { ImageContext } from './image-context';
import type { RunSettings } from './run-settings';

/**
 * Options a user can give any method from the CLI or a job spec; each method takes those its parameter schema
 * declares (shared/method-catalogue.ts, where their defaults are), and the service refuses the others.
 */
export interface MethodOptions {
  /** N, the number of integration steps (path methods). */
  steps?: number;
  /** Cut point names (DIX and CAM methods). */
  layers?: string[];
  /** Baseline: 'channel-min' | 'zero' for DIX, 'black' | 'zero' for IG. */
  baseline?: string;
  /**
   * Interpolants (or samples, or ablated channels) per forward/backward batch: a run setting, not a parameter. It does
   * not change the map, so it is neither hashed into the map's identity nor stored with it (default: chosen from the
   * memory a batch needs, run-settings.ts).
   */
  batchSize?: number;
  /** Min-max normalize each layer's map before DIX aggregation (default false, as the paper). */
  normalizeLayers?: boolean;
  /** Seed of a method's randomness (SmoothGrad's noise). */
  seed?: number;
  /** SmoothGrad: noisy samples per image. */
  samples?: number;
  /** SmoothGrad: noise standard deviation as a fraction of the input's range (max - min). */
  noise?: number;
  /** Guided IG: fraction of the features moved at every step. */
  fraction?: number;
  /** Guided IG: how far (in alpha) a feature may run ahead of or lag behind the straight path. */
  maxDist?: number;
  /** Blur IG: the largest Gaussian sigma, in pixels. */
  maxSigma?: number;
  /** Blur IG: sigma step of the finite difference d blur / d sigma. */
  gradStep?: number;
}

/** The computation of one method; its name, summary, capabilities and parameter schema are data in shared/method-catalogue.ts. */
export interface ExplanationMethod<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  /** Bumped when the computation changes, so stored maps of an older version are not reused. */
  version: number;
  /** Turns generic options into this method's full parameters (defaults filled in), stored as provenance. */
  resolveParams(vm: VisionModel, options: MethodOptions): P;
  /** Cut points this method reads activations at, so that one prefix forward pass can serve every method. */
  cutPoints(vm: VisionModel, params: P): CutPoint[];
  /** The raw map [H, W] at input resolution. Runs inside the caller's tf.tidy. */
  explain(ctx: ImageContext, params: P, settings: RunSettings): tf.Tensor2D;
}

export type AnyMethod = ExplanationMethod<Record<string, unknown>>;
