// Integrated Gradients (Sundararajan et al. 2017) in input space: the path integral at l = 0 with phi = g, from a
// black image (0 in [0, 1] pixel space, passed through the model's own preprocessing) unless told otherwise; the
// per-pixel map is the sum over colour channels of the attribution (signed), so that it sums to f(x) - f(x').
import { tf } from '../../tf';
import type { ExplanationMethod } from '../method';
import { reduceChannels, resizeToInput } from '../map-ops';
import { completenessGap, pathIntegral } from '../path-integral';
import { inputCutPoint } from '../../model/cut-points';
import type { Preprocessing } from '../../../../shared/preprocessing';
import { IgParamsSchema, type IG_BASELINES } from '../../../../shared/method-catalogue';
import { declaredParams } from './params';
import { batchFor } from '../run-settings';

export type IgParams = { steps: number; baseline: (typeof IG_BASELINES)[number] };

/** A constant [1, H, W, C] image: pixel value `unit` in [0, 1], preprocessed like the model's inputs. */
export function constantInput(prep: Preprocessing, unit: number): tf.Tensor4D {
  return tf.tidy(() => {
    const c = prep.channels;
    const mean = tf.tensor1d(prep.mean.length === 1 ? Array(c).fill(prep.mean[0]) : prep.mean);
    const std = tf.tensor1d(prep.std.length === 1 ? Array(c).fill(prep.std[0]) : prep.std);
    const v = tf.div(tf.sub(tf.fill([c], (unit * 255) / prep.scale), mean), std);
    return tf.tile(tf.reshape(v, [1, 1, 1, c]), [1, prep.height, prep.width, 1]) as tf.Tensor4D;
  });
}

export const ig: ExplanationMethod<IgParams> = {
  id: 'ig',
  version: 1,
  resolveParams(_vm, o) {
    const d = declaredParams('ig', IgParamsSchema, o);
    return { steps: d.steps, baseline: d.baseline };
  },
  cutPoints: () => [],
  explain(ctx, p, settings) {
    const baseline = p.baseline === 'black' ? constantInput(ctx.vm.preprocessing, 0) : tf.zerosLike(ctx.input);
    const cut = inputCutPoint(ctx.vm.cuts);
    const a = pathIntegral({ model: ctx.vm, cut, activation: ctx.input, baseline,
      targetClass: ctx.targetClass, steps: p.steps, integrand: 'gradient', batchSize: batchFor(ctx.vm, cut, p.steps, settings) });
    ctx.noteCompleteness(completenessGap(ctx.vm, cut, a, baseline, ctx.targetLogit, ctx.targetClass, 'input'));
    return resizeToInput(reduceChannels(a as tf.Tensor4D, 'sum'), ctx.height, ctx.width);
  },
};
