// BatchNormalization (inference: running statistics) and LayerNormalization (opset 17), on whatever physical axes
// their logical axes live. Parameters are weights of the module (re-initializable: ones, zeros, running mean 0,
// running variance 1, as PyTorch initializes them).
import { tf } from '../../../tf';
import { UserError } from '../../../errors';
import { axisOf, identity, inverse, relayout } from '../layout';
import { hostToTensor, runtimeTensor, has } from '../operands';
import { attrFloat, attrInt } from '../onnx-graph';
import type { OpCompiler } from '../op-types';
import type { WeightCell } from '../weight-store';

/** The folded per-channel scale and shift of inference batch norm: y = x * scale + shift. */
export function batchNormScaleShift(gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, eps: number): { scale: tf.Tensor; shift: tf.Tensor } {
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, eps)));
  return { scale, shift: tf.sub(beta, tf.mul(mean, scale)) };
}

export const batchNormalization: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  if (attrInt(ctx.node, 'training_mode', 0) === 1) {
    throw new UserError(`BatchNormalization node "${ctx.node.name}" is in training mode (it normalizes with batch statistics).`,
      'Call model.eval() before torch.onnx.export (training=TrainingMode.PRESERVE keeps batch norm, in inference form).');
  }
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const cells = [1, 2, 3, 4].map((i) => {
    if (ctx.operands[i].kind !== 'weight') throw new UserError(`BatchNormalization node "${ctx.node.name}" has non-constant parameters.`, 'Export the model in eval mode.');
    return ctx.weight(i, 'raw', hostToTensor);
  });
  const [gamma, beta, mean, variance] = cells;
  ctx.param(gamma, 'weight', { kind: 'ones' });
  ctx.param(beta, 'bias', { kind: 'zeros' });
  ctx.param(mean, 'running_mean', { kind: 'zeros' }, true);
  ctx.param(variance, 'running_var', { kind: 'ones' }, true);
  const rank = x.perm.length;
  const channelAxis = inverse(x.perm)[1];
  // Per-channel parameters broadcast along the physical channel axis (the last one for channels-last values).
  const paramShape = x.perm.map((_, i) => (i === channelAxis ? -1 : 1));
  const shaped = (cell: WeightCell) => (channelAxis === rank - 1 ? cell.tensor : cell.derived(`bn:${paramShape}`, (w) => tf.reshape(w, paramShape)));
  return {
    outPerms: [x.perm],
    run: (args, rt) => {
      const input = args[0] as tf.Tensor;
      if (channelAxis === rank - 1 && rank === 4 && !rt.taping) {
        // The fused kernel (FusedBatchNorm) when no gradient is taken: one pass over the activation.
        return [tf.batchNorm(input, mean.tensor, variance.tensor, beta.tensor, gamma.tensor, eps)];
      }
      const { scale, shift } = batchNormScaleShift(shaped(gamma), shaped(beta), shaped(mean), shaped(variance), eps);
      return [tf.add(tf.mul(input, scale), shift)];
    },
  };
};

export const layerNormalization: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const rank = x.perm.length;
  const axis = axisOf(attrInt(ctx.node, 'axis', -1), rank);
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  if (ctx.node.outputs.slice(1).some(Boolean)) {
    throw new UserError(`LayerNormalization node "${ctx.node.name}" returns its mean or inverse deviation, which DIX Workbench does not support.`, 'Export the model for inference.');
  }
  const inv = inverse(x.perm);
  const axes = identity(rank).slice(axis).map((j) => inv[j]);
  const scale = ctx.weight(1, 'raw', hostToTensor);
  ctx.param(scale, 'weight', { kind: 'ones' });
  const bias = has(ctx, 2) ? ctx.weight(2, 'raw', hostToTensor) : null;
  if (bias) ctx.param(bias, 'bias', { kind: 'zeros' });
  // Scale and bias have the normalized axes' logical shape: extended to the full rank, laid out like x.
  const lay = (w: tf.Tensor) => relayout(tf.reshape(w, [...new Array<number>(rank - w.rank).fill(1), ...w.shape]), identity(rank), x.perm);
  const key = `ln:${x.perm}`;
  return {
    outPerms: [x.perm],
    run: (args) => {
      const input = args[0] as tf.Tensor;
      const mean = tf.mean(input, axes, true);
      const centered = tf.sub(input, mean);
      const variance = tf.mean(tf.square(centered), axes, true);
      let y = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
      y = tf.mul(y, scale.derived(key, lay));
      return [bias ? tf.add(y, bias.derived(key, lay)) : y];
    },
  };
};

export const NORMALIZATION_OPS: Record<string, OpCompiler> = {
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
};
