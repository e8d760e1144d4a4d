// Conv (2-D) on channels-last tensors. Weights are converted once at load: OIHW -> HWIO for tf.conv2d, and for a
// depthwise conv (group = C_in, one input channel per group) -> [kh, kw, C_in, multiplier] for tf.depthwiseConv2d.
// Other groupings run as one conv per group on channel slices, concatenated. Without a gradient tape the bias and a
// following Relu/Relu6 go into one fused kernel; under a tape the plain ops are used, since TF.js computes the fused
// ops' gradients for every input (the filter too, and DepthwiseConv2dNativeBackpropFilter does not exist on wasm).
import { tf } from '../../../tf';
import { UserError } from '../../../errors';
import { hostToTensor, has, runtimeTensor } from '../operands';
import { NHWC, relayout } from '../layout';
import { attrInt, attrInts, attrString } from '../onnx-graph';
import type { HostTensor } from '../host-tensor';
import { oihwToHwio } from '../weight-layout';
import type { CompiledOp, OpCompiler, OpContext, RunFn } from '../op-types';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** ONNX pads/auto_pad -> TF.js padding for a 2-D window op over `inHW` with kernel, strides and dilations. */
export function windowPadding(ctx: OpContext, inHW: number[], kernel: number[], strides: number[], dilations: number[]): Pad {
  const autoPad = attrString(ctx.node, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return 'valid';
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const pads = [0, 1].map((a) => {
      const out = Math.ceil(inHW[a] / strides[a]);
      const total = Math.max(0, (out - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - inHW[a]);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
    return [[0, 0], pads[0] as [number, number], pads[1] as [number, number], [0, 0]];
  }
  const p = attrInts(ctx.node, 'pads') ?? [0, 0, 0, 0];
  if (p.every((v) => v === 0)) return 'valid';
  return [[0, 0], [p[0], p[2]], [p[1], p[3]], [0, 0]];
}

function hwio(w: HostTensor): tf.Tensor {
  return oihwToHwio(w);
}

/** A [kh, kw, ...] filter with d-1 zero rows/columns between taps: the same convolution at dilation 1. */
export function dilateFilter(f: tf.Tensor, [dh, dw]: [number, number]): tf.Tensor {
  const [kh, kw, ...rest] = f.shape;
  const spread = tf.pad(tf.reshape(f, [kh, 1, kw, 1, ...rest]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], ...rest.map(() => [0, 0] as [number, number])]);
  const full = tf.reshape(spread, [kh * dh, kw * dw, ...rest]);
  return tf.slice(full, full.shape.map(() => 0), [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ...rest]);
}

export const conv: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const wOp = ctx.operands[1];
  if (wOp.kind !== 'weight' || wOp.value.dims.length !== 4 || x.perm.length !== 4) {
    throw new UserError(`Conv node "${ctx.node.name}" is not a 2-D convolution with a constant filter; DIX Workbench supports those only.`,
      'Export a model whose convolutions are nn.Conv2d layers.');
  }
  const [cOut, cInPerGroup, kh, kw] = wOp.value.dims;
  const group = attrInt(ctx.node, 'group', 1);
  const cIn = x.shape[1];
  const strides = (attrInts(ctx.node, 'strides') ?? [1, 1]) as [number, number];
  const dilations = (attrInts(ctx.node, 'dilations') ?? [1, 1]) as [number, number];
  const pad = windowPadding(ctx, x.shape.slice(2), [kh, kw], strides, dilations);
  const depthwise = group > 1 && group === cIn && cInPerGroup === 1;
  const fanIn = cInPerGroup * kh * kw;
  const filter = depthwise
    ? ctx.weight(1, 'depthwise', (w) => tf.reshape(hwio(w), [kh, kw, cIn, cOut / cIn]))
    : ctx.weight(1, 'hwio', hwio);
  ctx.param(filter, 'weight', { kind: 'uniform', fanIn });
  const bias = has(ctx, 2) ? ctx.weight(2, 'raw', hostToTensor) : null;
  if (bias) ctx.param(bias, 'bias', { kind: 'uniform', fanIn });
  const toNHWC = (t: tf.Tensor) => relayout(t, x.perm, NHWC) as tf.Tensor4D;

  // TF.js has no gradient for dilated convolutions: under a tape the filter is dilated instead (zeros inserted).
  const dilated = dilations.some((d) => d > 1);
  const dilatedFilter = () => filter.derived('dilated', (f) => dilateFilter(f, dilations));
  const plain = (input: tf.Tensor4D, f: tf.Tensor4D): tf.Tensor4D => {
    if (dilated) {
      const fd = dilatedFilter() as tf.Tensor4D;
      return depthwise ? tf.depthwiseConv2d(input, fd, strides, pad) : tf.conv2d(input, fd, strides, pad);
    }
    if (depthwise) return tf.depthwiseConv2d(input, f, strides, pad, 'NHWC', dilations);
    if (group === 1) return tf.conv2d(input, f, strides, pad, 'NHWC', dilations);
    const xs = tf.split(input, group, 3);
    const per = cOut / group;
    return tf.concat(xs.map((xi, g) => tf.conv2d(xi as tf.Tensor4D, tf.slice(f, [0, 0, 0, g * per], [-1, -1, -1, per]) as tf.Tensor4D,
      strides, pad, 'NHWC', dilations)), 3) as tf.Tensor4D;
  };
  const runWith = (activation: 'linear' | 'relu' | 'relu6'): RunFn => (args, rt) => {
    const input = toNHWC(args[0] as tf.Tensor);
    const f = filter.tensor as tf.Tensor4D;
    if (!rt.taping && group === 1) {
      return [tf.fused.conv2d({ x: input, filter: f, strides, pad, dilations, bias: bias?.tensor, activation })];
    }
    if (!rt.taping && depthwise) {
      return [tf.fused.depthwiseConv2d({ x: input, filter: f, strides, pad: pad as 'valid', dilations, bias: bias?.tensor, activation })];
    }
    let y: tf.Tensor = plain(input, f);
    if (bias) y = tf.add(y, bias.tensor);
    if (activation === 'relu') y = tf.relu(y);
    if (activation === 'relu6') y = tf.relu6(y);
    return [y];
  };
  const op: CompiledOp = { outPerms: [NHWC], run: runWith('linear'), fused: (activation) => runWith(activation) };
  return op;
};
