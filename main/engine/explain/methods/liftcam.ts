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
import type { CutPoint } from '../../model/cut-points';
import type { VisionModel } from '../../model/vision-model';
import { resizeToInput } from '../map-ops';
import { camMethodParams } from './cam-params';
import { weightedActivationMap, type CamParams } from './cam-base';
import { cutsByName } from './params';
import { AFFINE_LAYERS, ELEMENTWISE_LAYERS, fusedActivation, layerSteps, preActivation, runSteps, type LayerStep } from './layer-walk';

const SECANT_EPS = 1e-6;
const GRADIENT_RULE_LAYERS = new Set(['MaxPooling2D', 'MaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling1D']);

/** The layers after the cut, checked to be ones DeepLIFT's Rescale rule covers. */
function headSteps(vm: VisionModel, cut: CutPoint): LayerStep[] {
  const all = layerSteps(vm.model);
  const reached = new Set([cut.tensor.id]);
  const head: LayerStep[] = [];
  for (const s of all) {
    if (!s.inputs.every((t) => reached.has(t.id))) continue;
    const cls = s.layer.getClassName();
    const act = fusedActivation(s.layer)?.getClassName();
    if (!(AFFINE_LAYERS.has(cls) || ELEMENTWISE_LAYERS.has(cls) || GRADIENT_RULE_LAYERS.has(cls)) || act === 'softmax') {
      throw new UserError(`liftcam: layer "${s.layer.name}" (${cls}${act ? `, ${act}` : ''}) after cut point ${cut.name} has no DeepLIFT Rescale rule.`,
        'Choose a later cut point with --layers, so that the head holds only dense/convolution layers, pooling, flatten, dropout, batch norm and elementwise activations.');
    }
    reached.add(s.output.id);
    head.push(s);
  }
  return head;
}

/** Splits a step into its affine part and its elementwise nonlinearity (null when it has none). */
function nonlinearity(step: LayerStep): ((z: tf.Tensor) => tf.Tensor) | null {
  if (ELEMENTWISE_LAYERS.has(step.layer.getClassName())) return (z) => step.layer.apply(z) as tf.Tensor;
  const act = fusedActivation(step.layer);
  return act ? (z) => act.apply(z) : null;
}

function affinePart(step: LayerStep, inputs: tf.Tensor[]): tf.Tensor {
  if (ELEMENTWISE_LAYERS.has(step.layer.getClassName())) return inputs[0];
  return fusedActivation(step.layer) ? preActivation(step.layer, inputs) : (step.layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor);
}

/** DeepLIFT (Rescale) contributions of the activation A ([1, h, w, c]) at `cut` to logit k, zero reference. */
export function deepLiftContributions(vm: VisionModel, cut: CutPoint, a: tf.Tensor, k: number): tf.Tensor {
  const head = headSteps(vm, cut);
  const fetch = vm.model.outputs[0];
  // Pass 1 (no gradient): each nonlinearity's input on the reference, z0, and on A, z -> its secant slope.
  const z0 = new Map<number, tf.Tensor>();
  const record = (into: Map<number, tf.Tensor>) => (step: LayerStep, inputs: tf.Tensor[]) => {
    const sigma = nonlinearity(step);
    if (!sigma) return null;
    const z = affinePart(step, inputs);
    into.set(step.output.id, z);
    return sigma(z);
  };
  runSteps(head, new Map([[cut.tensor.id, tf.zerosLike(a)]]), fetch, record(z0));
  const z1 = new Map<number, tf.Tensor>();
  runSteps(head, new Map([[cut.tensor.id, a]]), fetch, record(z1));
  const secant = new Map<number, { slope: tf.Tensor; offset: tf.Tensor }>();
  for (const step of head) {
    const sigma = nonlinearity(step);
    if (!sigma) continue;
    const z = z1.get(step.output.id)!;
    const zr = z0.get(step.output.id)!;
    const dz = tf.sub(z, zr);
    const near = tf.less(tf.abs(dz), SECANT_EPS);
    const ratio = tf.div(tf.sub(sigma(z), sigma(zr)), tf.where(near, tf.onesLike(dz), dz));
    const slope = tf.where(near, tf.grad((t: tf.Tensor) => tf.sum(sigma(t)))(z), ratio);
    // sigma is replaced by the line through (z0, sigma(z0)) with this slope: exact at z, and linear in A.
    secant.set(step.output.id, { slope, offset: tf.sub(sigma(zr), tf.mul(slope, zr)) });
  }
  // Pass 2: the gradient of the secant head at A gives the multipliers; contributions = multipliers ⊙ (A - 0).
  const multipliers = tf.grad((x: tf.Tensor) => {
    const out = runSteps(head, new Map([[cut.tensor.id, x]]), fetch, (step, inputs) => {
      const s = secant.get(step.output.id);
      return s ? tf.add(tf.mul(s.slope, affinePart(step, inputs)), s.offset) : null;
    });
    return tf.sum(tf.slice(out, [0, k], [-1, 1]));
  })(a);
  return tf.mul(multipliers, a);
}

export const liftcam: ExplanationMethod<CamParams> = {
  id: 'liftcam',
  version: 1,
  title: 'LIFT-CAM',
  summary: 'activations weighted by their DeepLIFT contributions (zero reference) to the class score',
  ...camMethodParams('liftcam'),
  explain(ctx, p) {
    const cut = cutsByName(ctx.vm, p.layers)[0];
    const a = ctx.activation(cut);
    const w = tf.sum(deepLiftContributions(ctx.vm, cut, a, ctx.targetClass), [1, 2], true) as tf.Tensor4D;
    return resizeToInput(weightedActivationMap(a, w), ctx.height, ctx.width);
  },
};
