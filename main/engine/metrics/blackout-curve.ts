// The perturbation curve behind NEG/POS/INS/DEL (docs/methods.md §4.2; the LTX protocol):
// for each fraction p, the first floor(p * H * W) pixels of the ordering are blacked out (set to 0 in [0, 1] space, all
// channels) and the image goes through the model's own preprocessing (taken from the preprocessed image and the
// preprocessed black, which is the same arithmetic). Per fraction: whether the top-1 is still the
// clean top-1, and the softmax probability of the clean top-1. The masks are built as tensors from the pixel ranks,
// and all perturbed images of one map go through the model in batches.
import { tf } from '../tf';
import type { ImageState } from './image-state';
import type { MapState } from './map-state';
import { ranksOf, type Ordering } from './map-order';
import { predictBatches } from './unit-input';

export interface BlackoutCurve {
  fractions: number[];
  /** 1 where the perturbed image's top-1 is the clean top-1, else 0. */
  match: number[];
  /** Softmax probability of the clean top-1 on the perturbed image. */
  prob: number[];
}

/** p = 0, 0.1, ..., 0.9 (docs/methods.md §4.2). */
export const DEFAULT_FRACTIONS = Array.from({ length: 10 }, (_, i) => i / 10);

/** Pixels blacked out at fraction p of n pixels (Chefer/LTX: int(n p)); the epsilon keeps e.g. 0.3 * 1000 at 300. */
export function removedCount(n: number, p: number): number {
  return Math.min(n, Math.floor(n * p + 1e-9));
}

export function blackoutCurve(image: ImageState, map: MapState, ordering: Ordering, fractions: number[]): BlackoutCurve {
  return map.memo(`blackout:${ordering}:${fractions.join(',')}`, () => {
    const n = image.pixels;
    const counts = fractions.map((p) => removedCount(n, p));
    const match = counts.map(() => 1);
    const prob = counts.map(() => image.cleanProbability);
    // k = 0 is the clean image, whose answer is known.
    const todo = counts.map((k, i) => [k, i]).filter(([k]) => k > 0);
    if (todo.length > 0) {
      const rank = tf.tensor4d(ranksOf(map.order(ordering)), [1, image.height, image.width, 1], 'int32');
      const ks = tf.tensor4d(todo.map(([k]) => k), [todo.length, 1, 1, 1], 'int32');
      // A pixel of rank r is kept while r >= k; a removed pixel is black, in input space the preprocessed 0:
      // input * keep + black * (1 - keep) is exactly one or the other (tf.where is 5 times slower on wasm).
      const out = predictBatches(image.vm, todo.length, (s, m) => {
        const keep = tf.cast(tf.greaterEqual(rank, tf.slice(ks, [s, 0, 0, 0], [m, 1, 1, 1])), 'float32');
        return tf.add(tf.mul(image.inputTensor, keep), tf.mul(image.blackInput, tf.sub(1, keep))) as tf.Tensor4D;
      }, image.cleanClass, image.batchSize);
      tf.dispose([rank, ks]);
      todo.forEach(([, i], j) => {
        match[i] = out.top1[j] === image.cleanClass ? 1 : 0;
        prob[i] = out.prob[j];
      });
    }
    return { fractions, match, prob };
  });
}
