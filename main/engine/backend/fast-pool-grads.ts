// wasm's MaxPoolGrad kernel replaced by maxPoolInputGradient. The stock kernel is wrong: on a 3x3 stride-2 'same' pool
// over 1x112x112x64 (ResNet's stem) it dropped the gradient of 258 of 802,816 inputs against the cpu backend (checked in
// test/engine/max-pool-grad.test.ts), so every ResNet-style map through it was slightly wrong. It was also slower
// (584 ms against about 100 ms for the loop at batch 10 on that shape). The loop reads the pooled input and dy from the
// wasm heap in place (views, no copies) and writes dx into the output's place there.
import { tf } from '../tf';
import { maxPoolInputGradient } from './max-pool-input-gradient';

/** The wasm backend's own allocation and heap views (BackendWasm). */
interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: tf.KernelBackend };

function maxPoolGradKernel({ inputs: { dy, input }, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as {
    filterSize: [number, number] | number; strides: [number, number] | number; pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const wasm = backend as unknown as WasmHeap;
  // The output first: allocating may grow the heap, which detaches views taken before.
  const out = wasm.makeOutput(input.shape, 'float32');
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  maxPoolInputGradient(wasm.typedArrayFromHeap(input) as Float32Array, input.shape, wasm.typedArrayFromHeap(dy) as Float32Array, dy.shape, {
    k: [info.filterHeight, info.filterWidth], s: [info.strideHeight, info.strideWidth], top: info.padInfo.top, left: info.padInfo.left,
  }, dx);
  return out;
}

let installed = false;

/** Registers the MaxPoolGrad kernel on wasm; idempotent. */
export function installFastPoolGrads(): void {
  if (installed) return;
  const stock = tf.getKernel('MaxPoolGrad', 'wasm');
  if (stock) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradKernel as unknown as tf.KernelFunc });
  installed = true;
}
