// The Riemann sum at the heart of DIX and IG (paper Eq. 5): for the cut point l with activation x^l and baseline z^l,
//   A^l = (x^l - z^l)/N ⊙ sum_{n=1..N} phi(r(n/N), g(n/N)),   r(t) = z + t (x - z),   g = d f_k^l / d r.
// With phi = g this is Integrated Gradients at layer l, whose sum over elements approaches f_k(x) - f_k^l(z)
// (completeness). Only the tail f^l runs on the N interpolants, in batches.
import { tf } from '../tf';
import type { CutPoint, VisionModel } from '../model/vision-model';
import type { Completeness } from '../../../shared/provenance';

export type Integrand = 'activation-times-gradient' | 'gradient';

export interface PathIntegralArgs {
  model: VisionModel;
  cut: CutPoint;
  /** x^l, [1, h, w, c] (or [1, d] for a flat cut). */
  activation: tf.Tensor;
  /** z^l, broadcastable to x^l. */
  baseline: tf.Tensor;
  targetClass: number;
  steps: number;
  integrand: Integrand;
  /** Interpolants per batch; default all N at once. */
  batchSize?: number;
}

/** d f_k^l / d r for a batch of interpolants r (any leading batch size). */
export function classGradient(model: VisionModel, cut: CutPoint, r: tf.Tensor, targetClass: number): tf.Tensor {
  const score = (a: tf.Tensor) => tf.sum(tf.slice(model.tailLogits(cut, a), [0, targetClass], [-1, 1]));
  return tf.grad(score)(r);
}

/** Returns A^l with the shape of x^l. */
export function pathIntegral(a: PathIntegralArgs): tf.Tensor {
  const { steps: n, batchSize = n } = a;
  return tf.tidy(() => {
    const delta = tf.sub(a.activation, a.baseline);
    let total: tf.Tensor = tf.zerosLike(a.activation);
    for (let start = 1; start <= n; start += batchSize) {
      const count = Math.min(batchSize, n - start + 1);
      const next = tf.tidy(() => {
        const t = tf.reshape(tf.div(tf.range(start, start + count, 1, 'float32'), n), [count, ...a.activation.shape.slice(1).map(() => 1)]);
        const r = tf.add(a.baseline, tf.mul(t, delta));
        const g = classGradient(a.model, a.cut, r, a.targetClass);
        const phi = a.integrand === 'gradient' ? g : tf.mul(r, g);
        return tf.add(total, tf.sum(phi, 0, true));
      });
      total.dispose();
      total = next;
    }
    return tf.mul(tf.div(delta, n), total);
  });
}

/**
 * The completeness gap of a phi = g attribution A^l at cut l (Captum's convergence delta): sum(A^l) against
 * f_k^l(x^l) - f_k^l(z^l). `fx` is f_k(x), known from the image's forward pass (f^l(x^l) = f(x)); one more tail pass
 * gives f_k^l(z^l). Reads two scalars back.
 */
export function completenessGap(model: VisionModel, cut: CutPoint, attribution: tf.Tensor, baseline: tf.Tensor, fx: number,
  targetClass: number, at: string): Completeness {
  const [attributionSum, fz] = tf.tidy(() => {
    const z = tf.add(baseline, tf.zerosLike(attribution.shape[0] === 1 ? attribution : tf.slice(attribution, 0, 1)));
    return [tf.sum(attribution).dataSync()[0], model.tailLogits(cut, z).dataSync()[targetClass]];
  });
  const expected = fx - fz;
  const delta = attributionSum - expected;
  return { attributionSum, expected, delta, relativeGap: Math.abs(delta) / (Math.abs(expected) || 1), at };
}

/** DIX's baseline: per channel, the minimum over all spatial positions, broadcast over H x W. */
export function channelMinBaseline(activation: tf.Tensor4D): tf.Tensor4D {
  return tf.min(activation, [1, 2], true) as tf.Tensor4D;
}
