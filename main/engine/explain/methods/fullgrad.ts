// FullGrad (Srinivas & Fleuret 2019, Eq. 2): S(x) = psi(grad_x f ⊙ x) + sum_l sum_c psi(grad_{z_l} f ⊙ b_l)_c, over every
// convolution and batch normalization layer l with a bias b_l (batch norm's folded bias beta - mu gamma / sqrt(var + eps)),
// where z_l is the layer's output before its activation. psi = abs, then min-max rescale, then bilinear resize to the
// input. As in the paper's Eq. 2, psi rescales each bias channel on its own; the input term is rescaled over all its
// colour channels jointly and then summed over them (the authors' code). Dense-layer biases carry no spatial
// information and are left out of the map, as in the paper; fullGradTerms still returns them, since with them
// f(x) = sum(x ⊙ grad_x f) + sum_l sum(b_l ⊙ grad_{z_l} f) holds exactly for a ReLU network (the tests check it).
// Layers inside a nested model are not looked into.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { ExplanationMethod } from '../method';
import { minMax, resizeToInput } from '../map-ops';
import type { ModelWalk, VisionModel, WalkStep } from '../../model/vision-model';

export type FullGradParams = Record<string, never>;

export interface BiasTerm {
  layer: string;
  /** b ⊙ grad_z f with z's shape ([1, h, w, c] for a convolution or batch norm, [1, d] for a dense layer). */
  term: tf.Tensor;
  spatial: boolean;
}

export function requireWalk(vm: VisionModel, methodId: string): ModelWalk {
  const walk = vm.walk();
  if (!walk) throw new UserError(`${methodId} needs to walk the model layer by layer, which this ${vm.kind} model does not support.`, 'Choose another method.');
  return walk;
}

/** The raw full-gradient terms of class k at input x: grad_x f and one bias-gradient per biased layer. */
export function fullGradTerms(vm: VisionModel, x: tf.Tensor4D, k: number): { inputGradient: tf.Tensor4D; biasTerms: BiasTerm[] } {
  const walk = requireWalk(vm, 'fullgrad');
  const biased: Array<{ step: WalkStep; bias: tf.Tensor1D }> = [];
  for (const step of walk.steps) {
    const bias = step.rule === 'affine' ? step.bias() : null;
    if (bias) biased.push({ step, bias });
  }
  const probeOf = new Map(biased.map((b, i) => [b.step.output, i]));
  const probes = biased.map(({ step }) => tf.zeros([1, ...step.outputShape]));
  const score = (...args: tf.Tensor[]) => {
    const [input, ...ps] = args;
    const out = walk.run(new Map([[walk.input, input]]), walk.output, (step, inputs) => {
      const i = probeOf.get(step.output);
      if (i === undefined) return null;
      // The probe sits between the bias and the activation, so its gradient is grad_z f at the pre-activation z.
      const z = tf.add(step.affine(inputs), ps[i]);
      return step.nonlinearity ? step.nonlinearity(z) : z;
    });
    return tf.sum(tf.slice(out, [0, k], [-1, 1])) as tf.Scalar;
  };
  const [inputGradient, ...grads] = tf.grads(score)([x, ...probes]);
  return {
    inputGradient: inputGradient as tf.Tensor4D,
    biasTerms: biased.map(({ step, bias }, i) => ({ layer: step.name, term: tf.mul(grads[i], bias), spatial: grads[i].rank === 4 })),
  };
}

/** abs then min-max per channel of [1, h, w, c], summed over channels: [1, h, w, 1]. */
function perChannelPsi(t: tf.Tensor4D): tf.Tensor4D {
  const a = tf.abs(t);
  const lo = tf.min(a, [1, 2], true);
  const range = tf.sub(tf.max(a, [1, 2], true), lo);
  const safe = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
  return tf.sum(tf.div(tf.sub(a, lo), safe), 3, true) as tf.Tensor4D;
}

export const fullgrad: ExplanationMethod<FullGradParams> = {
  id: 'fullgrad',
  version: 1,
  resolveParams: () => ({}),
  cutPoints: () => [],
  explain(ctx) {
    const { inputGradient, biasTerms } = fullGradTerms(ctx.vm, ctx.input, ctx.targetClass);
    const inputTerm = tf.sum(minMax(tf.abs(tf.mul(inputGradient, ctx.input))), 3, true) as tf.Tensor4D;
    const maps = [resizeToInput(inputTerm, ctx.height, ctx.width)];
    for (const b of biasTerms) if (b.spatial) maps.push(resizeToInput(perChannelPsi(b.term as tf.Tensor4D), ctx.height, ctx.width));
    return tf.addN(maps) as tf.Tensor2D;
  },
};
