// One interface for every explanation method (Captum-style: one file per method, one signature). A method reads
// what it needs from a per-image context (activations and gradients cached across methods) and returns a raw map at
// the input's resolution, before any normalization.
import type { MethodOptionValues } from '../../../shared/method-options';
import type { tf } from '../tf';
import type { CutPoint } from '../model/cut-points';
import type { VisionModel } from '../model/vision-model';
import type { ImageContext } from './image-context';
import type { RunSettings } from './run-settings';

/**
 * Options a user can give any method from the CLI or a job spec: the method options declared in
 * shared/method-options.ts (each method takes those its parameter schema in shared/method-catalogue.ts declares,
 * where their defaults are; the service refuses the others), plus two the job sets for every method.
 */
export type MethodOptions = MethodOptionValues & {
  /**
   * Interpolants (or samples, or ablated channels) per forward/backward batch: a run setting, not a parameter. It does
   * not change the map, so it is neither hashed into the map's identity nor stored with it (default: chosen from the
   * memory a batch needs, run-settings.ts).
   */
  batchSize?: number;
  /** Seed of a method's randomness (SmoothGrad's noise). */
  seed?: number;
};

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
