// Explains one preprocessed image with several methods: one prefix forward pass serves them all (ImageContext),
// each method runs in its own tf.tidy, and the maps come back as plain Float32Arrays (read outside the tidy: a typed
// array returned from tf.tidy is walked element by element).
import { tf } from '../tf';
import { UserError } from '../errors';
import type { VisionModel } from '../model/vision-model';
import { ImageContext } from './image-context';
import type { AnyMethod, MethodOptions } from './method';
import { getMethod } from './registry';
import type { RunSettings } from './run-settings';
import type { Completeness } from '../../../shared/provenance';
import { assertModelFitsBackend } from '../backend/webgpu-memory';

function runSettings(options: MethodOptions): RunSettings {
  if (options.batchSize === undefined) return {};
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new UserError(`The batch size must be a positive integer (got ${options.batchSize}).`, 'Give e.g. --batch-size 4, or leave it out to choose it from memory.');
  }
  return { batchSize: options.batchSize };
}

export interface PlannedMethod {
  method: AnyMethod;
  params: Record<string, unknown>;
  /** How it runs (not part of the map's identity). */
  settings: RunSettings;
}

export interface ExplainedMap {
  methodId: string;
  methodVersion: number;
  params: Record<string, unknown>;
  /** Raw map, H x W row-major, before any normalization. */
  map: Float32Array;
  height: number;
  width: number;
  cutPoints: string[];
  millis: number;
  /** Path methods with phi = g: how far the attribution is from completeness (the worst cut point). */
  completeness: Completeness | null;
}

export interface ExplainedImage {
  targetClass: number;
  predictedClass: number;
  /** Softmax probability of the target class on the clean input. */
  targetProbability: number;
  maps: ExplainedMap[];
}

/** Resolves every method's parameters once per job (so a bad option fails before any image is read). */
export function planMethods(vm: VisionModel, methodIds: string[], options: MethodOptions): PlannedMethod[] {
  // On webgpu, a model with a tensor larger than the adapter can bind is refused here, before any image.
  assertModelFitsBackend(vm);
  return methodIds.map((id) => {
    const method = getMethod(id);
    return { method, params: method.resolveParams(vm, options), settings: runSettings(options) };
  });
}

export function explainImage(vm: VisionModel, input: tf.Tensor4D, plan: PlannedMethod[], targetClass?: number | null): ExplainedImage {
  const cuts = plan.flatMap((p) => p.method.cutPoints(vm, p.params));
  const ctx = new ImageContext(vm, input, cuts, targetClass);
  try {
    const prob = tf.tidy(() => tf.slice(tf.softmax(ctx.logits), [0, ctx.targetClass], [1, 1]));
    const targetProbability = prob.dataSync()[0];
    prob.dispose();
    const maps = plan.map(({ method, params, settings }) => {
      const t0 = performance.now();
      const map = tf.tidy(() => method.explain(ctx, params, settings));
      const data = map.dataSync() as Float32Array;
      const [height, width] = map.shape;
      map.dispose();
      const used = method.cutPoints(vm, params).map((c) => c.name);
      return { methodId: method.id, methodVersion: method.version, params, map: new Float32Array(data), height, width,
        cutPoints: used.length ? used : ['input'], millis: performance.now() - t0, completeness: ctx.takeCompleteness() };
    });
    return { targetClass: ctx.targetClass, predictedClass: ctx.predictedClass, targetProbability, maps };
  } finally {
    ctx.dispose();
  }
}
