// Blur IG (Xu et al. 2020), as PAIR's BlurIG: the path runs from the input blurred with maxSigma to the input itself,
// sigma_i = i maxSigma / steps (or sqrt of that), and
//   A = -sum_{i=0..steps-1} (sigma_{i+1} - sigma_i) ⊙ (blur(x, sigma_i + gradStep) - blur(x, sigma_i)) / gradStep ⊙ grad f(blur(x, sigma_i)).
// The blur is over height and width of the model input (HWC, zeros outside the image; gaussian-blur.ts). Each point
// gets its own sigma step (PAIR weights a whole batch by its last step's, the same only for linear sigmas). The map is
// the signed sum over colour channels, like IG, so that it sums to about f(x) - f(blur(x, maxSigma)).
import { tf } from '../../tf';
import { batchFor } from '../run-settings';
import type { ExplanationMethod } from '../method';
import { reduceChannels, resizeToInput } from '../map-ops';
import { classGradient } from '../path-integral';
import { inputCutPoint } from '../../model/cut-points';
import { BlurIgParamsSchema } from '../../../../shared/method-catalogue';
import { declaredParams } from './params';
import { gaussianBlurHW } from './gaussian-blur';

export type BlurIgParams = { maxSigma: number; steps: number; gradStep: number; sqrtSigmas: boolean };

export function blurSigmas(p: Pick<BlurIgParams, 'maxSigma' | 'steps' | 'sqrtSigmas'>): number[] {
  return Array.from({ length: p.steps + 1 }, (_, i) => (p.sqrtSigmas ? Math.sqrt((i * p.maxSigma) / p.steps) : (i * p.maxSigma) / p.steps));
}

export const blurIg: ExplanationMethod<BlurIgParams> = {
  id: 'blur-ig',
  version: 1,
  resolveParams(_vm, o) {
    const d = declaredParams('blur-ig', BlurIgParamsSchema, o);
    return {
      maxSigma: d.maxSigma,
      steps: d.steps,
      gradStep: d.gradStep,
      sqrtSigmas: false,
    };
  },
  cutPoints: () => [],
  explain(ctx, p, settings) {
    const sigmas = blurSigmas(p);
    const cut = inputCutPoint(ctx.vm.cuts);
    const batchSize = batchFor(ctx.vm, cut, p.steps, settings);
    let total: tf.Tensor = tf.zerosLike(ctx.input);
    for (let start = 0; start < p.steps; start += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, p.steps - start) }, (_, j) => start + j);
      const next = tf.tidy(() => {
        const points = idx.map((i) => gaussianBlurHW(ctx.input, sigmas[i]));
        const dBlur = idx.map((i, j) => tf.div(tf.sub(gaussianBlurHW(ctx.input, sigmas[i] + p.gradStep), points[j]), p.gradStep));
        const g = classGradient(ctx.vm, cut, tf.concat(points), ctx.targetClass);
        const dSigma = tf.tensor(idx.map((i) => sigmas[i + 1] - sigmas[i]), [idx.length, 1, 1, 1]);
        return tf.add(total, tf.sum(tf.mul(tf.mul(dSigma, tf.concat(dBlur)), g), 0, true));
      });
      total.dispose();
      total = next;
    }
    return resizeToInput(reduceChannels(tf.neg(total) as tf.Tensor4D, 'sum'), ctx.height, ctx.width);
  },
};
