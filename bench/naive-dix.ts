// The design DIX must beat: the whole network from the input for every interpolant and cut point (what a per-image
// script that hooks layers does), so that the prefix up to x^l is recomputed N times per layer. Used only by the
// benchmark, to show what computing the prefix once and batching the tail saves.
import { tf } from '../main/engine/tf';
import type { VisionModel } from '../main/engine/model/vision-model';
import { resolveCutPoints } from '../main/engine/model/cut-points';

export function naiveDixPerInterpolant(vm: VisionModel, input: tf.Tensor4D, p: { layers: string[]; steps: number }): void {
  const cuts = resolveCutPoints(vm, p.layers);
  tf.tidy(() => {
    const k = tf.argMax(vm.predict(input), 1).dataSync()[0];
    for (const cut of cuts) {
      for (let n = 1; n <= p.steps; n++) {
        tf.tidy(() => {
          const x = vm.forwardWithActivations(input, [cut]).activations[0];
          const z = tf.min(x, [1, 2], true);
          const r = tf.add(z, tf.mul(n / p.steps, tf.sub(x, z)));
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.slice(vm.tailLogits(cut, a), [0, k], [-1, 1])))(r);
          tf.mul(r, g).dataSync();
        });
      }
    }
  });
}
