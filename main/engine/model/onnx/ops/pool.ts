// Pooling on channels-last tensors: MaxPool, AveragePool (with PyTorch's ceil_mode and count_include_pad), and the
// global pools, which reduce the spatial axes wherever they are stored.
import { tf } from '../../../tf';
import { UserError } from '../../../errors';
import { runtimeTensor } from '../operands';
import { inverse, NHWC, relayout } from '../layout';
import { attrInt, attrInts } from '../onnx-graph';
import type { OpCompiler, OpContext } from '../op-types';
import { windowPadding } from './conv';

type Explicit = [[number, number], [number, number], [number, number], [number, number]];

/** Padding per side after ceil_mode: windows that start inside the input (or its left padding) are kept. */
export function ceilPads(inHW: number[], k: number[], s: number[], pads: Explicit): Explicit {
  const out = pads.map((p) => [...p]) as Explicit;
  for (const a of [0, 1]) {
    const [before, after] = pads[a + 1];
    const span = inHW[a] + before + after - k[a];
    let n = Math.ceil(span / s[a]) + 1;
    if ((n - 1) * s[a] >= inHW[a] + before) n--;
    out[a + 1][1] += Math.max(0, (n - 1) * s[a] + k[a] - (inHW[a] + before + after));
  }
  return out;
}

function poolSetup(ctx: OpContext) {
  const x = runtimeTensor(ctx, 0);
  if (x.perm.length !== 4) throw new UserError(`${ctx.node.opType} node "${ctx.node.name}" is not a 2-D pool; DIX Workbench supports 2-D pools only.`, 'Export a model with 2-D pooling.');
  const k = attrInts(ctx.node, 'kernel_shape')!;
  const s = attrInts(ctx.node, 'strides') ?? [1, 1];
  const dil = attrInts(ctx.node, 'dilations') ?? [1, 1];
  if (dil.some((d) => d !== 1)) throw new UserError(`${ctx.node.opType} node "${ctx.node.name}" is dilated; DIX Workbench does not support dilated pooling.`, 'Export the model without pooling dilations.');
  const inHW = x.shape.slice(2);
  let pad = windowPadding(ctx, inHW, k, s, [1, 1]);
  const ceil = attrInt(ctx.node, 'ceil_mode', 0) === 1;
  if (ceil && pad !== 'same') pad = ceilPads(inHW, k, s, pad === 'valid' ? [[0, 0], [0, 0], [0, 0], [0, 0]] : pad);
  return { x, k: k as [number, number], s: s as [number, number], pad };
}

/** The padding of an Explicit as tf.pad's paddings, and whether there is any. */
function padded(pad: Explicit | 'valid' | 'same'): Explicit | null {
  return Array.isArray(pad) && pad.some(([a, b]) => a > 0 || b > 0) ? pad : null;
}

export const maxPool: OpCompiler = (ctx) => {
  const { x, k, s, pad } = poolSetup(ctx);
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) {
    throw new UserError(`MaxPool node "${ctx.node.name}" returns indices, which DIX Workbench does not support.`, 'Export the model without return_indices.');
  }
  // The gradient is the backend's MaxPoolGrad (on wasm the engine's own, backend/fast-pool-grads.ts).
  return {
    outPerms: [NHWC],
    run: (args) => [tf.maxPool(relayout(args[0] as tf.Tensor, x.perm, NHWC) as tf.Tensor4D, k, s, pad as 'valid')],
  };
};

/**
 * AveragePool as a windowed sum over the zero-padded input divided by the number of counted elements in each window:
 * the declared padding counts when count_include_pad = 1, ceil_mode's extra row and column never do (PyTorch's
 * rule). TF.js's own padded average pool excludes all padding, and its gradient ignores the padding altogether.
 */
export const averagePool: OpCompiler = (ctx) => {
  const { x, k, s, pad } = poolSetup(ctx);
  const explicit = padded(pad);
  const toNHWC = (t: tf.Tensor) => relayout(t, x.perm, NHWC) as tf.Tensor4D;
  if (!explicit) return { outPerms: [NHWC], run: (args) => [tf.avgPool(toNHWC(args[0] as tf.Tensor), k, s, pad as 'valid')] };
  const includePad = attrInt(ctx.node, 'count_include_pad', 0) === 1;
  const declared = attrInts(ctx.node, 'pads') ?? [0, 0, 0, 0];
  const [h, w] = x.shape.slice(2);
  // Counted elements per window: a mask of the input (and the declared padding if it counts), pooled once at load.
  const counts = ctx.hold(tf.tidy(() => {
    let mask: tf.Tensor4D = tf.ones([1, h, w, 1]);
    let rest = explicit;
    if (includePad) {
      mask = tf.pad(mask, [[0, 0], [declared[0], declared[2]], [declared[1], declared[3]], [0, 0]], 1);
      rest = explicit.map((p, i) => (i === 1 ? [p[0] - declared[0], p[1] - declared[2]] : i === 2 ? [p[0] - declared[1], p[1] - declared[3]] : p)) as Explicit;
    }
    return tf.avgPool(tf.pad(mask, rest) as tf.Tensor4D, k, s, 'valid');
  }));
  return {
    outPerms: [NHWC],
    run: (args) => [tf.div(tf.avgPool(tf.pad(toNHWC(args[0] as tf.Tensor), explicit) as tf.Tensor4D, k, s, 'valid'), counts)],
  };
};

/** GlobalAveragePool / GlobalMaxPool: over every logical axis after N and C, keeping them as size 1. */
function globalPool(reduce: (x: tf.Tensor, axes: number[]) => tf.Tensor): OpCompiler {
  return (ctx) => {
    const x = runtimeTensor(ctx, 0);
    const inv = inverse(x.perm);
    const axes = x.perm.map((_, j) => j).filter((j) => j >= 2).map((j) => inv[j]);
    return { outPerms: [x.perm], run: (args) => [reduce(args[0] as tf.Tensor, axes)] };
  };
}

export const POOL_OPS: Record<string, OpCompiler> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool((x, axes) => tf.mean(x, axes, true)),
  GlobalMaxPool: globalPool((x, axes) => tf.max(x, axes, true)),
};
