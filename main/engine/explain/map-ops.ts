// Tensor helpers shared by the methods: psi (reduce channels, resize to the input), min-max normalization.
import { tf } from '../tf';

/** [1, h, w, c] -> [1, h, w, 1] by the channel mean (DIX's psi) or sum (IG's channel reduction). */
export function reduceChannels(t: tf.Tensor4D, how: 'mean' | 'sum'): tf.Tensor4D {
  return (how === 'mean' ? tf.mean(t, 3, true) : tf.sum(t, 3, true)) as tf.Tensor4D;
}

/** [1, h, w, 1] -> [H, W] by bilinear resize with half-pixel centres (as PyTorch's align_corners=False). */
export function resizeToInput(t: tf.Tensor4D, height: number, width: number): tf.Tensor2D {
  const resized = t.shape[1] === height && t.shape[2] === width ? t : tf.image.resizeBilinear(t, [height, width], false, true);
  return tf.reshape(resized, [height, width]) as tf.Tensor2D;
}

/** psi: channel mean, then bilinear resize to the input's H x W. */
export function psi(t: tf.Tensor4D, height: number, width: number): tf.Tensor2D {
  return resizeToInput(reduceChannels(t, 'mean'), height, width);
}

/** Min-max to [0, 1]; a constant map becomes all zeros. */
export function minMax<T extends tf.Tensor>(t: T): T {
  const lo = tf.min(t);
  const range = tf.sub(tf.max(t), lo);
  const safe = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
  return tf.div(tf.sub(t, lo), safe) as T;
}

/** Sum over spatial positions, per channel: [1, h, w, c] -> [1, 1, 1, c]. */
export function spatialSum(t: tf.Tensor4D): tf.Tensor4D {
  return tf.sum(t, [1, 2], true) as tf.Tensor4D;
}
