// Ablation-CAM (Desai & Ramaswamy 2020): w_c = (y - y_c) / y, where y is the class score (logit) and y_c the score with
// channel c of the activation A at the cut point set to zero; map = relu(sum_c w_c A_c), resized to the input.
// The ablated copies of A go through the head in batches of channels. Not pytorch-grad-cam's ablation to
// min(A) - 1e7 for channels with a non-zero minimum (docs/methods.md §3.9): the paper zeroes the channel.
import { tf } from '../../tf';
import { batchFor } from '../run-settings';
import type { ExplanationMethod } from '../method';
import { resizeToInput } from '../map-ops';
import { weightedActivationMap } from './cam-base';
import { camMethodParams } from './cam-params';
import { cutsByName } from './params';

export type AblationCamParams = { layers: string[] };

/** Scores y_c of class k with each channel of a ([1, h, w, C]) zeroed in turn: [C]. */
export function ablatedScores(run: (batch: tf.Tensor4D) => tf.Tensor2D, a: tf.Tensor4D, k: number, batchSize: number): tf.Tensor1D {
  const channels = a.shape[3];
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < channels; start += batchSize) {
    const n = Math.min(batchSize, channels - start);
    parts.push(tf.tidy(() => {
      // keep[i, 0, 0, c] = 0 exactly for c = start + i.
      const keep = tf.reshape(tf.sub(1, tf.oneHot(tf.range(start, start + n, 1, 'int32'), channels)), [n, 1, 1, channels]);
      const logits = run(tf.mul(a, keep) as tf.Tensor4D);
      return tf.reshape(tf.slice(logits, [0, k], [n, 1]), [n]);
    }));
  }
  return tf.concat(parts) as tf.Tensor1D;
}

export const ablationcam: ExplanationMethod<AblationCamParams> = {
  id: 'ablationcam',
  version: 1,
  resolveParams: (vm, o) => camMethodParams('ablationcam').resolveParams(vm, o),
  cutPoints: (vm, p) => cutsByName(vm, p.layers),
  explain(ctx, p, settings) {
    const cut = cutsByName(ctx.vm, p.layers)[0];
    const a = ctx.activation(cut);
    const y = tf.reshape(tf.slice(ctx.logits, [0, ctx.targetClass], [1, 1]), [1]);
    const yc = ablatedScores((b) => ctx.vm.tailLogits(cut, b), a, ctx.targetClass, batchFor(ctx.vm, cut, a.shape[3], settings));
    // A score of exactly 0 would make every weight infinite; the drops alone then give the map's shape.
    const w = tf.reshape(tf.div(tf.sub(y, yc), tf.where(tf.equal(y, 0), tf.onesLike(y), y)), [1, 1, 1, -1]) as tf.Tensor4D;
    return resizeToInput(weightedActivationMap(a, w), ctx.height, ctx.width);
  },
};
