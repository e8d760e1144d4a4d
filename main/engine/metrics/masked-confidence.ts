// ADP and PIC (Chattopadhyay et al. 2018; the LTX variant, docs/methods.md §4.3): the image is
// multiplied by the min-max map in [0, 1] space (broadcast over channels), then preprocessed as usual.
// Y = softmax probability of the target class on the image, O = on the masked image.
import { tf } from '../tf';
import type { ImageState } from './image-state';
import type { MapState } from './map-state';
import { predictUnits } from './unit-input';

export function maskedConfidence(image: ImageState, map: MapState): { y: number; o: number } {
  return map.memo('masked-confidence', () => {
    const masked = tf.tidy(() => tf.mul(image.unitTensor, tf.tensor4d(map.map!, [1, image.height, image.width, 1])) as tf.Tensor4D);
    const o = predictUnits(image.vm, masked, image.targetClass, 1).prob[0];
    masked.dispose();
    return { y: image.targetProbability, o };
  });
}

/** 100 max(0, Y - O) / Y: one image's share in Average Drop %. */
export function averageDropTerm(y: number, o: number): number {
  return (100 * Math.max(0, y - o)) / y;
}

/** 100 1[Y < O]: one image's share in % Increase in Confidence. */
export function increaseTerm(y: number, o: number): number {
  return y < o ? 100 : 0;
}
