// Conv2D gradient kernels re-expressed through the backend's own Conv2D (XNNPACK on wasm).
// Stock wasm has no Conv2DBackpropFilter (training fails with a kernel error) and its Conv2DBackpropInput is a plain
// loop about 12x slower than its conv (at any stride: strided convs go through a zero-dilated dy); the cpu backend's filter gradient is a naive loop too. Measured here: activation
// gradients 4-6x faster on wasm, a small-CNN train step 12.6 s -> 0.65 s on cpu. Checked against the cpu reference kernels
// in test/engine/fast-conv-grads.test.ts.
import { tf } from '../tf';
import { filterGradientUnused } from './backward-memory';

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  backend: tf.KernelBackend;
};
type KernelFn = (args: KernelArgs) => tf.TensorInfo;

function kernelOf(name: string, backendName: string): KernelFn {
  const k = tf.getKernel(name, backendName);
  if (!k) throw new Error(`TF.js kernel ${name} is missing on ${backendName}`);
  return k.kernelFunc as unknown as KernelFn;
}

/** dW[kh,kw,ci,co] = sum_{n,h,w} xpad[n, h*s+kh, w*s+kw, ci] * dy[n,h,w,co], computed as one Conv2D of
 *  x^T [Cin,H,W,N] with dy^T [H',W',N,Cout] at dilation = forward stride. */
function filterGradKernel(backendName: string): KernelFn {
  const transpose = kernelOf('Transpose', backendName);
  const conv = kernelOf('Conv2D', backendName);
  const slice = kernelOf('Slice', backendName);
  const fill = kernelOf('Fill', backendName);
  return ({ inputs: { x, dy }, attrs, backend }) => {
    const { strides, pad, dimRoundingMode, filterShape } = attrs as {
      strides: [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    // A fused conv's filter gradient that the tape will discard (backward-memory.ts): not computed.
    if (filterGradientUnused()) return fill({ inputs: {}, attrs: { shape: filterShape, value: 0, dtype: 'float32' }, backend });
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const xT = transpose({ inputs: { x }, attrs: { perm: [3, 1, 2, 0] }, backend });
    const dyT = transpose({ inputs: { x: dy }, attrs: { perm: [1, 2, 0, 3] }, backend });
    const p = info.padInfo;
    let r = conv({
      inputs: { x: xT, filter: dyT },
      attrs: { strides: [1, 1], pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], dataFormat: 'NHWC',
        dilations: [info.strideHeight, info.strideWidth] },
      backend,
    });
    backend.disposeData(xT.dataId);
    backend.disposeData(dyT.dataId);
    if (r.shape[1] !== info.filterHeight || r.shape[2] !== info.filterWidth) {
      // An input size that the stride does not divide leaves extra rows: crop to the filter.
      const cropped = slice({ inputs: { x: r }, attrs: { begin: [0, 0, 0, 0],
        size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels] }, backend });
      backend.disposeData(r.dataId);
      r = cropped;
    }
    const out = transpose({ inputs: { x: r }, attrs: { perm: [1, 2, 0, 3] }, backend });
    backend.disposeData(r.dataId);
    return out;
  };
}

/** dx = Conv2D(D, W~, stride 1) with W~ the spatially flipped, in/out-swapped filter, and D = dy itself (stride 1) or
 *  dy dilated by the stride (s-1 zeros after every row and column, made by reshape + pad: stride 2 convolutions, as in
 *  ResNet's downsampling blocks and stem, took the stock kernel's scalar loop, 6-8x slower than this). The padding is
 *  the forward one mirrored: before = k-1-padBefore, after = whatever makes the output as tall as the input. */
function inputGradKernel(backendName: string, original: KernelFn): KernelFn {
  const transpose = kernelOf('Transpose', backendName);
  const reverse = kernelOf('Reverse', backendName);
  const conv = kernelOf('Conv2D', backendName);
  const reshape = kernelOf('Reshape', backendName);
  const padKernel = kernelOf('PadV2', backendName);
  const slice = kernelOf('Slice', backendName);
  return (args) => {
    const { inputs: { dy, filter }, attrs, backend } = args;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as {
      strides: [number, number]; pad: 'same' | 'valid' | number; dataFormat?: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
    };
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
      strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    if ((dataFormat && dataFormat !== 'NHWC') || info.dilationHeight !== 1 || info.dilationWidth !== 1) return original(args);
    const { strideHeight: sh, strideWidth: sw, padInfo: p, filterHeight: kh, filterWidth: kw } = info;
    const temps: tf.TensorInfo[] = [];
    let d = dy;
    if (sh !== 1 || sw !== 1) {
      const [b, h, w, c] = dy.shape;
      const r6 = reshape({ inputs: { x: dy }, attrs: { shape: [b, h, 1, w, 1, c] }, backend });
      const padded = padKernel({ inputs: { x: r6 }, attrs: { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }, backend });
      temps.push(r6, padded);
      d = reshape({ inputs: { x: padded }, attrs: { shape: [b, h * sh, w * sw, c] }, backend });
      temps.push(d);
    }
    // Rows of D read for output rows 0..H-1: from -(kh-1-top) to H-1+top. Pad after to reach it, or crop what is never read.
    const after = (size: number, len: number, top: number) => size + top - len;
    let padBottom = after(info.inHeight, d.shape[1], p.top);
    let padRight = after(info.inWidth, d.shape[2], p.left);
    if (padBottom < 0 || padRight < 0) {
      const cropped = slice({ inputs: { x: d }, attrs: { begin: [0, 0, 0, 0],
        size: [d.shape[0], d.shape[1] + Math.min(0, padBottom), d.shape[2] + Math.min(0, padRight), d.shape[3]] }, backend });
      temps.push(cropped);
      d = cropped;
      padBottom = Math.max(0, padBottom);
      padRight = Math.max(0, padRight);
    }
    const flipped = reverse({ inputs: { x: filter }, attrs: { dims: [0, 1] }, backend });
    const swapped = transpose({ inputs: { x: flipped }, attrs: { perm: [0, 1, 3, 2] }, backend });
    temps.push(flipped, swapped);
    const out = conv({
      inputs: { x: d, filter: swapped },
      attrs: { strides: [1, 1], dataFormat: 'NHWC', dilations: [1, 1],
        pad: [[0, 0], [kh - 1 - p.top, padBottom], [kw - 1 - p.left, padRight], [0, 0]] },
      backend,
    });
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };
}

const installed = new Set<string>();

/** Registers the fast kernels for one backend ('wasm' or 'cpu'); idempotent. Call before the backend's first use or
 *  after; the original setupFunc is passed on, without which a not-yet-initialised wasm kernel is never bound. */
export function installFastConvGrads(backendName: 'wasm' | 'cpu'): void {
  if (installed.has(backendName)) return;
  const oldFilter = tf.getKernel('Conv2DBackpropFilter', backendName);
  if (oldFilter) tf.unregisterKernel('Conv2DBackpropFilter', backendName);
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName,
    kernelFunc: filterGradKernel(backendName) as unknown as tf.KernelFunc });
  if (backendName === 'wasm') {
    // Not on cpu: there the flipped-conv form measured slower than the stock input gradient (5.5 s vs 3.5 s).
    const orig = tf.getKernel('Conv2DBackpropInput', 'wasm');
    if (orig) {
      tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
      tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm',
        kernelFunc: inputGradKernel('wasm', orig.kernelFunc as unknown as KernelFn) as unknown as tf.KernelFunc,
        setupFunc: orig.setupFunc });
    }
  }
  installed.add(backendName);
}
