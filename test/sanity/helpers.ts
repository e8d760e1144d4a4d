// Shared by the sanity tests: small models with every weight set to seeded non-trivial values (so that a
// re-initialized bias, zeros, differs from the "trained" one), and weight snapshots to compare bit for bit.
import { tf } from '../../main/engine/tf';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { uniform } from '../engine/helpers';

export function pseudoTrained(arch: string, seed: number, opts: { size?: number; batchNorm?: boolean; width?: number } = {}): LayersModel {
  const size = opts.size ?? 16;
  const model = buildArchitecture(arch, { inputShape: [size, size, 3], numClasses: 4, width: opts.width ?? 0.25, batchNorm: opts.batchNorm, seed });
  model.weights.forEach((w, i) => {
    const n = w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    // Moving variances must stay positive.
    const lo = /moving_variance/.test(w.originalName) ? 0.5 : -0.3;
    const t = tf.tensor(uniform(seed * 1000 + i, n, lo, lo + 0.6), w.shape as number[]);
    w.write(t);
    t.dispose();
  });
  return model;
}

/** Every weight's values by name ('layer/role'), copied out. */
export function snapshot(model: LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, new Float32Array(w.read().dataSync() as Float32Array)]));
}

export function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}

/** Names of the weights whose values differ between two snapshots. */
export function changedWeights(a: Map<string, Float32Array>, b: Map<string, Float32Array>): string[] {
  return [...a.keys()].filter((k) => !bitsEqual(a.get(k)!, b.get(k)!)).sort();
}

export function predict(model: LayersModel, seed: number): Float32Array {
  const [, h, w, c] = model.inputs[0].shape as number[];
  const y = tf.tidy(() => model.predict(tf.randomUniform([2, h, w, c], 0, 1, 'float32', seed)) as tf.Tensor);
  const out = new Float32Array(y.dataSync() as Float32Array);
  y.dispose();
  return out;
}
