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

/** Filters prepared for the input gradient (flipped, in/out swapped, split by phase), kept per filter tensor: preparing
 *  them each call cost a reverse, a transpose and, on wasm, a new XNNPACK operator (its weights packed again), about
 *  half of the time of a 7x7x512 layer's input gradient. An entry is dropped once its filter's data is gone. */
const prepared = new Map<object, Map<string, tf.TensorInfo | null>>();

function sweepPrepared(backend: tf.KernelBackend): void {
  for (const [dataId, filters] of prepared) {
    if (backend.refCount(dataId as tf.DataId) > 0) continue;
    for (const f of filters.values()) if (f) backend.disposeData(f.dataId);
    prepared.delete(dataId);
  }
}

/** Per dimension, the phases of a stride-s input gradient: output rows j = i + padBefore with j mod s = r read the
 *  taps r, r+s, r+2s, ... of the filter (m = ceil((k - r) / s) of them; none when the filter is shorter than r). */
export function phaseTaps(k: number, s: number, r: number): number {
  return Math.max(0, Math.ceil((k - r) / s));
}

/**
 * dx of a stride-1 conv: Conv2D(dy, W~) with W~ the spatially flipped, in/out-swapped filter and the forward padding
 * mirrored (before = k-1-padBefore, after = whatever makes the output as tall as the input).
 * dx of a strided conv, by phases (sub-pixel decomposition): for stride s the input rows i split into s classes by
 * (i + padBefore) mod s = r, and class r is a stride-1 conv of dy with the flipped taps r, r+s, ... of the filter.
 * The s*s phase convs do the forward's multiply-adds; the zero-dilated dy they replace did s*s times as many (stride-2
 * ResNet layers' input gradients took 4.4x their forward conv). The phases are interleaved by concat + reshape.
 */
function inputGradKernel(backendName: string, original: KernelFn): KernelFn {
  const transpose = kernelOf('Transpose', backendName);
  const reverse = kernelOf('Reverse', backendName);
  const conv = kernelOf('Conv2D', backendName);
  const reshape = kernelOf('Reshape', backendName);
  const slice = kernelOf('Slice', backendName);
  const stridedSlice = kernelOf('StridedSlice', backendName);
  const concat = kernelOf('Concat', backendName);
  const fill = kernelOf('Fill', backendName);
  return (args) => {
    const { inputs: { dy, filter }, attrs, backend } = args;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as {
      strides: [number, number]; pad: 'same' | 'valid' | number; dataFormat?: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
    };
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
      strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    if ((dataFormat && dataFormat !== 'NHWC') || info.dilationHeight !== 1 || info.dilationWidth !== 1) return original(args);
    const { strideHeight: sh, strideWidth: sw, padInfo: p, filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w } = info;
    const [b, oh, ow] = dy.shape;
    const cIn = info.inChannels;
    sweepPrepared(backend);
    const mine = prepared.get(filter.dataId) ?? new Map<string, tf.TensorInfo | null>();
    prepared.set(filter.dataId, mine);
    // The flipped, swapped taps r, r+s, ... of the filter in each dimension (null: no taps).
    const phaseFilter = (rh: number, rw: number): tf.TensorInfo | null => {
      const key = `${sh}x${sw}:${rh},${rw}`;
      if (mine.has(key)) return mine.get(key)!;
      let f: tf.TensorInfo | null = null;
      if (phaseTaps(kh, sh, rh) > 0 && phaseTaps(kw, sw, rw) > 0) {
        const taps = sh === 1 && sw === 1 ? null : stridedSlice({ inputs: { x: filter }, attrs: { begin: [rh, rw, 0, 0],
          end: [kh, kw, filter.shape[2], filter.shape[3]], strides: [sh, sw, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0,
          newAxisMask: 0, shrinkAxisMask: 0 }, backend });
        const flipped = reverse({ inputs: { x: taps ?? filter }, attrs: { dims: [0, 1] }, backend });
        f = transpose({ inputs: { x: flipped }, attrs: { perm: [0, 1, 3, 2] }, backend });
        backend.disposeData(flipped.dataId);
        if (taps) backend.disposeData(taps.dataId);
      }
      mine.set(key, f);
      return f;
    };
    // Rows of the (phase) output: q = 0..Q-1 covers j = i + padBefore for every input row i.
    const qh = Math.ceil((h + p.top) / sh);
    const qw = Math.ceil((w + p.left) / sw);
    const temps: tf.TensorInfo[] = [];
    // dy cropped to the rows a phase output can read (an input size the stride does not divide leaves extra rows).
    let d = dy;
    if (oh > qh || ow > qw) {
      d = slice({ inputs: { x: dy }, attrs: { begin: [0, 0, 0, 0], size: [b, Math.min(oh, qh), Math.min(ow, qw), dy.shape[3]] }, backend });
      temps.push(d);
    }
    // Phase (rh, rw) as one stride-1 conv; `skip` output rows/columns are not computed (stride 1: j = i + padBefore,
    // so the first padBefore rows of j are padding rows of the input).
    const phase = (rh: number, rw: number, skipH = 0, skipW = 0): tf.TensorInfo => {
      const f = phaseFilter(rh, rw);
      if (!f) return fill({ inputs: {}, attrs: { shape: [b, qh - skipH, qw - skipW, cIn], value: 0, dtype: 'float32' }, backend });
      const [mh, mw] = f.shape;
      return conv({ inputs: { x: d, filter: f }, backend, attrs: { strides: [1, 1], dataFormat: 'NHWC', dilations: [1, 1],
        pad: [[0, 0], [mh - 1 - skipH, qh - d.shape[1]], [mw - 1 - skipW, qw - d.shape[2]], [0, 0]] } });
    };
    let out: tf.TensorInfo;
    if (sh === 1 && sw === 1 && p.top <= kh - 1 && p.left <= kw - 1) {
      out = phase(0, 0, p.top, p.left);
    } else {
      const rows: tf.TensorInfo[] = [];
      for (let rh = 0; rh < sh; rh++) {
        const cols: tf.TensorInfo[] = [];
        for (let rw = 0; rw < sw; rw++) {
          const ph = phase(rh, rw);
          const r6 = reshape({ inputs: { x: ph }, attrs: { shape: [b, qh, 1, qw, 1, cIn] }, backend });
          temps.push(ph, r6);
          cols.push(r6);
        }
        const row = concat({ inputs: cols as unknown as Record<string, tf.TensorInfo>, attrs: { axis: 4 }, backend });
        temps.push(row);
        rows.push(row);
      }
      const woven = concat({ inputs: rows as unknown as Record<string, tf.TensorInfo>, attrs: { axis: 2 }, backend });
      const grid = reshape({ inputs: { x: woven }, attrs: { shape: [b, qh * sh, qw * sw, cIn] }, backend });
      temps.push(woven, grid);
      out = slice({ inputs: { x: grid }, attrs: { begin: [0, p.top, p.left, 0], size: [b, h, w, cIn] }, backend });
    }
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
