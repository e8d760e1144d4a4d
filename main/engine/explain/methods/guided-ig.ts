// Guided Integrated Gradients (Kapishnikov et al. 2021) in input space, PAIR's algorithm (guided-ig-path.ts) from a
// black image (as IG here) unless told otherwise. Gradients of the class logit are taken one point at a time, since
// each step's point depends on the previous gradient. The map is the signed sum over colour channels, as for IG, so
// that it sums to about f(x) - f(x').
import { tf } from '../../tf';
import type { ExplanationMethod } from '../method';
import { reduceChannels, resizeToInput } from '../map-ops';
import { classGradient } from '../path-integral';
import { inputCutPoint } from '../../model/cut-points';
import { constantInput } from './ig';
import { GuidedIgParamsSchema, type IG_BASELINES } from '../../../../shared/method-catalogue';
import { declaredParams } from './params';
import { guidedIgPath } from './guided-ig-path';

export type GuidedIgParams = { steps: number; fraction: number; maxDist: number; baseline: (typeof IG_BASELINES)[number] };

export const guidedIg: ExplanationMethod<GuidedIgParams> = {
  id: 'guided-ig',
  version: 1,
  resolveParams(_vm, o) {
    const d = declaredParams('guided-ig', GuidedIgParamsSchema, o);
    return { steps: d.steps, fraction: d.fraction, maxDist: d.maxDist, baseline: d.baseline };
  },
  cutPoints: () => [],
  explain(ctx, p) {
    const shape = ctx.input.shape;
    const baseline = p.baseline === 'black' ? constantInput(ctx.vm.preprocessing, 0) : tf.zerosLike(ctx.input);
    const cut = inputCutPoint(ctx.vm.cuts);
    const gradient = (x: Float64Array) => {
      const g = tf.tidy(() => classGradient(ctx.vm, cut, tf.tensor4d(Float32Array.from(x), shape), ctx.targetClass));
      const out = Float64Array.from(g.dataSync());
      g.dispose();
      return out;
    };
    const { attribution } = guidedIgPath(Float64Array.from(ctx.input.dataSync()), Float64Array.from(baseline.dataSync()), gradient, p);
    const a = tf.tensor4d(Float32Array.from(attribution), shape);
    return resizeToInput(reduceChannels(a, 'sum'), ctx.height, ctx.width);
  },
};
