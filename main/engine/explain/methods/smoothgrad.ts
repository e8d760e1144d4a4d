// SmoothGrad (Smilkov et al. 2017): the class gradient averaged over `samples` copies of the input with Gaussian noise
// of standard deviation noise * (max(x) - min(x)) (the paper's noise level; PAIR's stdev_spread), then, as the paper's
// maps, the absolute value summed over colour channels ('abs-sum'; 'sum' keeps the sign). Sample i's noise is drawn
// from its own seed mixSeed(seed, i), so a map does not depend on the batch size.
import { tf } from '../../tf';
import { batchFor } from '../run-settings';
import type { ExplanationMethod } from '../method';
import { reduceChannels, resizeToInput } from '../map-ops';
import { classGradient } from '../path-integral';
import { inputCutPoint } from '../../model/cut-points';
import { mixSeed } from '../../data/rng';
import { SmoothGradParamsSchema } from '../../../../shared/method-catalogue';
import { seedOf } from './seed-option';
import { declaredParams } from './params';

export const SMOOTHGRAD_REDUCTIONS = ['abs-sum', 'sum'] as const;
export type SmoothGradParams = { samples: number; noise: number; seed: number; reduce: (typeof SMOOTHGRAD_REDUCTIONS)[number] };

export const smoothgrad: ExplanationMethod<SmoothGradParams> = {
  id: 'smoothgrad',
  version: 1,
  resolveParams(_vm, o) {
    const d = declaredParams('smoothgrad', SmoothGradParamsSchema, o);
    return {
      samples: d.samples,
      noise: d.noise,
      seed: seedOf('smoothgrad', o.seed),
      reduce: 'abs-sum',
    };
  },
  cutPoints: () => [],
  explain(ctx, p, settings) {
    const x = ctx.input;
    const range = tf.sub(tf.max(x), tf.min(x)).dataSync()[0];
    const sd = p.noise * range;
    const cut = inputCutPoint(ctx.vm.cuts);
    const batchSize = batchFor(ctx.vm, cut, p.samples, settings);
    let total: tf.Tensor = tf.zerosLike(x);
    for (let start = 0; start < p.samples; start += batchSize) {
      const n = Math.min(batchSize, p.samples - start);
      const next = tf.tidy(() => {
        const noisy = Array.from({ length: n }, (_, j) =>
          tf.add(x, tf.randomNormal(x.shape, 0, sd, 'float32', mixSeed(p.seed, start + j))));
        const g = classGradient(ctx.vm, cut, tf.concat(noisy), ctx.targetClass);
        return tf.add(total, tf.sum(g, 0, true));
      });
      total.dispose();
      total = next;
    }
    const mean = tf.div(total, p.samples) as tf.Tensor4D;
    return resizeToInput(reduceChannels(p.reduce === 'abs-sum' ? tf.abs(mean) : mean, 'sum'), ctx.height, ctx.width);
  },
};
