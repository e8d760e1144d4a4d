// LIFT-CAM (Jung & Oh 2021): w_c = sum_ij C_ijc, the DeepLIFT contributions of the activation A at the cut point to
// the class score with a zero reference; map = relu(sum_c w_c A_c), resized to the input.
// DeepLIFT here is the Rescale rule (Shrikumar et al. 2017), as Captum's DeepLift that the authors used:
//  - affine layers (dense, convolution, pooling by averaging, flatten, dropout, batch norm at inference, add) pass
//    multipliers on as their weights, which for a head that is affine after the cut (GAP + dense) makes C = A ⊙ g
//    exactly;
//  - an elementwise nonlinearity sigma (a layer's fused activation or a ReLU/ELU/... layer) gets the multiplier
//    (sigma(z) - sigma(z0)) / (z - z0), z0 being its input when the head runs on the reference, or sigma'(z) where
//    |z - z0| < 1e-6. The multipliers are the gradient of the head with each sigma replaced by that fixed secant,
//    so C = A ⊙ d(secant head)/dA and sum(C) = f(A) - f(0) (summation-to-delta), which the tests check.
//  - max pooling passes multipliers on by its gradient (to the window's maximum; DeepLIFT's 'gradient' mode for max
//    pooling), so with max pooling in the head summation-to-delta holds only approximately;
//  - other nonlinear layers (softmax, multiply, ...) have no rule here and are refused with a clear error.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { ExplanationMethod } from '../method';
import type { CutPoint, VisionModel, WalkStep } from '../../model/vision-model';
import { resizeToInput } from '../map-ops';
import { camMethodParams } from './cam-params';
import { weightedActivationMap, type CamParams } from './cam-base';
import { cutsByName } from './params';
import { requireWalk } from './fullgrad';

const SECANT_EPS = 1e-6;

/** The steps after the cut, checked to be ones DeepLIFT's Rescale rule covers. */
function headSteps(steps: WalkStep[], cutValue: string, cutName: string): WalkStep[] {
  const reached = new Set([cutValue]);
  const head: WalkStep[] = [];
  for (const s of steps) {
    if (!s.inputs.every((t) => reached.has(t))) continue;
    if (s.rule === 'other') {
      throw new UserError(`liftcam: layer "${s.name}" (${s.className}) after cut point ${cutName} has no DeepLIFT Rescale rule.`,
        'Choose a later cut point with --layers, so that the head holds only dense/convolution layers, pooling, flatten, dropout, batch norm and elementwise activations.');
    }
    reached.add(s.output);
    head.push(s);
  }
  return head;
}

/** DeepLIFT (Rescale) contributions of the activation A ([1, h, w, c]) at `cut` to logit k, zero reference. */
export function deepLiftContributions(vm: VisionModel, cut: CutPoint, a: tf.Tensor, k: number): tf.Tensor {
  const walk = requireWalk(vm, 'liftcam');
  const from = walk.valueOf(cut);
  const head = headSteps(walk.steps, from, cut.name);
  const fetch = walk.output;
  const run = (x: tf.Tensor, hook: (step: WalkStep, inputs: tf.Tensor[]) => tf.Tensor | null) =>
    walk.run(new Map([[from, x]]), fetch, (step, inputs) => (head.includes(step) ? hook(step, inputs) : null));
  // Pass 1 (no gradient): each nonlinearity's input on the reference, z0, and on A, z -> its secant slope.
  const record = (into: Map<string, tf.Tensor>) => (step: WalkStep, inputs: tf.Tensor[]) => {
    if (!step.nonlinearity) return null;
    const z = step.affine(inputs);
    into.set(step.output, z);
    return step.nonlinearity(z);
  };
  const z0 = new Map<string, tf.Tensor>();
  run(tf.zerosLike(a), record(z0));
  const z1 = new Map<string, tf.Tensor>();
  run(a, record(z1));
  const secant = new Map<string, { slope: tf.Tensor; offset: tf.Tensor }>();
  for (const step of head) {
    const sigma = step.nonlinearity;
    if (!sigma) continue;
    const z = z1.get(step.output)!;
    const zr = z0.get(step.output)!;
    const dz = tf.sub(z, zr);
    const near = tf.less(tf.abs(dz), SECANT_EPS);
    const ratio = tf.div(tf.sub(sigma(z), sigma(zr)), tf.where(near, tf.onesLike(dz), dz));
    const slope = tf.where(near, tf.grad((t: tf.Tensor) => tf.sum(sigma(t)))(z), ratio);
    // sigma is replaced by the line through (z0, sigma(z0)) with this slope: exact at z, and linear in A.
    secant.set(step.output, { slope, offset: tf.sub(sigma(zr), tf.mul(slope, zr)) });
  }
  // Pass 2: the gradient of the secant head at A gives the multipliers; contributions = multipliers ⊙ (A - 0).
  const multipliers = tf.grad((x: tf.Tensor) => {
    const out = run(x, (step, inputs) => {
      const s = secant.get(step.output);
      return s ? tf.add(tf.mul(s.slope, step.affine(inputs)), s.offset) : null;
    });
    return tf.sum(tf.slice(out, [0, k], [-1, 1]));
  })(a);
  return tf.mul(multipliers, a);
}

export const liftcam: ExplanationMethod<CamParams> = {
  id: 'liftcam',
  version: 1,
  ...camMethodParams('liftcam'),
  explain(ctx, p) {
    const cut = cutsByName(ctx.vm, p.layers)[0];
    const a = ctx.activation(cut);
    const w = tf.sum(deepLiftContributions(ctx.vm, cut, a, ctx.targetClass), [1, 2], true) as tf.Tensor4D;
    return resizeToInput(weightedActivationMap(a, w), ctx.height, ctx.width);
  },
};
