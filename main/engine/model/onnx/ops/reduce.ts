// Reductions and softmax over logical axes, mapped to the physical axes that hold them.
import { tf } from '../../../tf';
import { alias, axisOf, inverse, permWithout } from '../layout';
import { has, numbersIn, runtimeTensor } from '../operands';
import { attrInt, attrInts } from '../onnx-graph';
import type { OpCompiler, OpContext } from '../op-types';

/** The reduced logical axes: the `axes` attribute (ReduceMean & co. up to opset 17) or input 1 (ReduceSum from 13). */
function reduceAxes(ctx: OpContext, rank: number): number[] {
  let axes = attrInts(ctx.node, 'axes');
  if (!axes && has(ctx, 1)) axes = numbersIn(ctx, 1, 'axes')([]);
  if (!axes || axes.length === 0) {
    return attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1 ? [] : Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => axisOf(a, rank)))].sort((a, b) => a - b);
}

function reduce(f: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): OpCompiler {
  return (ctx) => {
    const x = runtimeTensor(ctx, 0);
    const logicalAxes = reduceAxes(ctx, x.perm.length);
    const inv = inverse(x.perm);
    const axes = logicalAxes.map((a) => inv[a]);
    const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
    const perm = keep ? x.perm : permWithout(x.perm, logicalAxes);
    if (axes.length === 0) return { outPerms: [x.perm], run: (args) => [alias(args[0] as tf.Tensor)] };
    return { outPerms: [perm], run: (args) => [f(args[0] as tf.Tensor, axes, keep)] };
  };
}

/** Softmax (opset 13: along one axis) as exp(x - max) / sum, along any physical axis. */
function softmaxAlong(x: tf.Tensor, axis: number, log: boolean): tf.Tensor {
  if (axis === x.rank - 1) return log ? tf.logSoftmax(x) : tf.softmax(x);
  const shifted = tf.sub(x, tf.max(x, axis, true));
  if (log) return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), axis, true)));
  const e = tf.exp(shifted);
  return tf.div(e, tf.sum(e, axis, true));
}

function softmax(log: boolean): OpCompiler {
  return (ctx) => {
    const x = runtimeTensor(ctx, 0);
    const axis = inverse(x.perm)[axisOf(attrInt(ctx.node, 'axis', -1), x.perm.length)];
    return { outPerms: [x.perm], run: (args) => [softmaxAlong(args[0] as tf.Tensor, axis, log)] };
  };
}

export const REDUCE_OPS: Record<string, OpCompiler> = {
  ReduceMean: reduce((x, axes, keep) => tf.mean(x, axes, keep)),
  ReduceSum: reduce((x, axes, keep) => tf.sum(x, axes, keep)),
  ReduceMax: reduce((x, axes, keep) => tf.max(x, axes, keep)),
  ReduceMin: reduce((x, axes, keep) => tf.min(x, axes, keep)),
  ReduceProd: reduce((x, axes, keep) => tf.prod(x, axes, keep)),
  ReduceL2: reduce((x, axes, keep) => tf.sqrt(tf.sum(tf.square(x), axes, keep))),
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
