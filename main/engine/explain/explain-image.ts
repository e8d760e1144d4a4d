// Explains one preprocessed image with several methods: one prefix forward pass serves them all (ImageContext),
// each method runs in its own tf.tidy, and the maps come back as plain Float32Arrays (read outside the tidy: a typed
// array returned from tf.tidy is walked element by element).
import { tf } from '../tf';
import type { VisionModel } from '../model/vision-model';
import { ImageContext } from './image-context';
import type { AnyMethod, MethodOptions } from './method';
import { getMethod } from './registry';

export interface PlannedMethod {
  method: AnyMethod;
  params: Record<string, unknown>;
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
  return methodIds.map((id) => {
    const method = getMethod(id);
    return { method, params: method.resolveParams(vm, options) };
  });
}

export function explainImage(vm: VisionModel, input: tf.Tensor4D, plan: PlannedMethod[], targetClass?: number | null): ExplainedImage {
  const cuts = plan.flatMap((p) => p.method.cutPoints(vm, p.params));
  const ctx = new ImageContext(vm, input, cuts, targetClass);
  try {
    const prob = tf.tidy(() => tf.slice(tf.softmax(ctx.logits), [0, ctx.targetClass], [1, 1]));
    const targetProbability = prob.dataSync()[0];
    prob.dispose();
    const maps = plan.map(({ method, params }) => {
      const t0 = performance.now();
      const map = tf.tidy(() => method.explain(ctx, params));
      const data = map.dataSync() as Float32Array;
      const [height, width] = map.shape;
      map.dispose();
      const used = method.cutPoints(vm, params).map((c) => c.name);
      return { methodId: method.id, methodVersion: method.version, params, map: new Float32Array(data), height, width,
        cutPoints: used.length ? used : ['input'], millis: performance.now() - t0 };
    });
    return { targetClass: ctx.targetClass, predictedClass: ctx.predictedClass, targetProbability, maps };
  } finally {
    ctx.dispose();
  }
}
