// The input gradient of a depthwise convolution on wasm, which has no DepthwiseConv2dNativeBackpropInput kernel
// (MobileNet/EfficientNet/ConvNeXt-style models could not take a gradient w.r.t. their input). It is computed from
// the backend's own kernels: dx = a stride-1 depthwise convolution of dy, with zeros inserted between dy's rows and
// columns for a strided forward conv, by the spatially flipped filter, with padding (k-1-pad_before, ...) so that
// every dx position sees exactly the dy positions its input fed; a channel multiplier m > 1 is summed over after.
//   dx[b,h,w,c] = sum_{i,j,q} dy[b,(h+pt-i)/s,(w+pl-j)/s,c*m+q] f[i,j,c,q]   (terms with integer, in-range dy indices)
// Checked against the cpu backend's kernel in test/engine/onnx/depthwise-grads.test.ts.
import { tf } from '../tf';

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: tf.KernelBackend };
type KernelFn = (args: KernelArgs) => tf.TensorInfo;

function kernelOf(name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`TF.js kernel ${name} is missing on wasm`);
  return k.kernelFunc as unknown as KernelFn;
}

function inputGradKernel(): KernelFn {
  const reverse = kernelOf('Reverse');
  const reshape = kernelOf('Reshape');
  const pad = kernelOf('PadV2');
  const slice = kernelOf('Slice');
  const depthwise = kernelOf('DepthwiseConv2dNative');
  const sum = kernelOf('Sum');
  return ({ inputs: { dy, filter }, attrs, backend }) => {
    const { strides, pad: padding, dimRoundingMode, inputShape } = attrs as {
      strides: [number, number] | number; pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
      dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
    };
    const [kh, kw, channels, mult] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, channels, mult], strides, 1, padding, dimRoundingMode, true);
    const [batch, height, width] = inputShape;
    const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
    const temps: tf.TensorInfo[] = [];
    const t = (x: tf.TensorInfo) => (temps.push(x), x);

    // dy with s-1 zeros after each row and column (a strided conv's gradient as a stride-1 one).
    let up = dy;
    if (sh > 1 || sw > 1) {
      const cm = channels * mult;
      const six = t(reshape({ inputs: { x: dy }, attrs: { shape: [batch, oh, 1, ow, 1, cm] }, backend }));
      const spread = t(pad({ inputs: { x: six }, attrs: { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }, backend }));
      const flat = t(reshape({ inputs: { x: spread }, attrs: { shape: [batch, oh * sh, ow * sw, cm] }, backend }));
      up = t(slice({ inputs: { x: flat }, attrs: { begin: [0, 0, 0, 0], size: [batch, (oh - 1) * sh + 1, (ow - 1) * sw + 1, cm] }, backend }));
    }
    // Padding so that the stride-1 "valid" conv of `up` gives height x width: before = k-1-pad_before, after whatever
    // remains (cropped first if negative, for windows that started in the bottom/right padding only).
    const before = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
    const after = [height + kh - 1 - before[0] - up.shape[1], width + kw - 1 - before[1] - up.shape[2]];
    if (before[0] < 0 || before[1] < 0 || after[0] < 0 || after[1] < 0) {
      const b0 = Math.max(0, -before[0]), b1 = Math.max(0, -before[1]);
      up = t(slice({ inputs: { x: up }, attrs: { begin: [0, b0, b1, 0],
        size: [batch, up.shape[1] - b0 - Math.max(0, -after[0]), up.shape[2] - b1 - Math.max(0, -after[1]), up.shape[3]] }, backend }));
    }
    const flipped = t(reverse({ inputs: { x: filter }, attrs: { dims: [0, 1] }, backend }));
    // Each of the C*m dy channels gets its own flipped filter plane: a [kh, kw, C*m, 1] depthwise filter.
    const perChannel = t(reshape({ inputs: { x: flipped }, attrs: { shape: [kh, kw, channels * mult, 1] }, backend }));
    const padded = [[0, 0], [Math.max(0, before[0]), Math.max(0, after[0])], [Math.max(0, before[1]), Math.max(0, after[1])], [0, 0]];
    let dx = depthwise({ inputs: { x: up, filter: perChannel }, attrs: { strides: [1, 1], pad: padded, dilations: [1, 1] }, backend });
    if (mult > 1) {
      t(dx);
      const split = t(reshape({ inputs: { x: dx }, attrs: { shape: [batch, height, width, channels, mult] }, backend }));
      dx = sum({ inputs: { x: split }, attrs: { axis: [4], keepDims: false }, backend });
    }
    for (const x of temps) if (x !== dy) backend.disposeData(x.dataId);
    return dx;
  };
}

let installed = false;

/** Registers the wasm DepthwiseConv2dNativeBackpropInput kernel (idempotent; call after importing the wasm backend). */
export function installDepthwiseGrads(): void {
  if (installed || tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')) return;
  if (!tf.getKernel('DepthwiseConv2dNative', 'wasm')) return;
  tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm',
    kernelFunc: inputGradKernel() as unknown as tf.KernelFunc });
  installed = true;
}
