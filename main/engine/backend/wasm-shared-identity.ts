// The wasm backend's Identity kernel copies its input into a new buffer (the cpu backend shares it by reference
// count). TF.js calls Identity for every tensor it saves for a backward pass (engine.clone in
// saveTensorsForBackwardMode): under tf.grad every saved activation AND every saved weight was copied once per
// gradient. On full VGG-16 at 224x224 that is about 540 MB of weight copies (fc1's 25088x4096 kernel alone is
// 411 MB) plus a copy of each saved activation, per gradient call: a third of the wasm heap at batch 1, and the reason
// an IG batch of 10 interpolants ran into the wasm32 heap's 4 GB limit (measured in bench/probe-explain-memory.ts).
//
// Tensors are immutable in TF.js (a variable's assign re-points it at another buffer), so sharing is exact: the
// kernel below takes a reference like the cpu backend does, and Cast to the same dtype does the same. Both are
// checked against the stock kernels in test/engine/wasm-kernels.test.ts.
import { tf } from '../tf';

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: tf.KernelBackend };
type KernelFn = (args: KernelArgs) => tf.TensorInfo;

function share(x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  (backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function replace(name: string, make: (original: KernelFn) => KernelFn): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original || (original as { dixShared?: boolean }).dixShared) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', setupFunc: original.setupFunc,
    kernelFunc: make(original.kernelFunc as unknown as KernelFn) as unknown as tf.KernelFunc, dixShared: true } as tf.KernelConfig);
}

/** Identity (and Cast to the tensor's own dtype) on wasm take a reference instead of copying; idempotent. */
export function installSharedIdentity(): void {
  replace('Identity', (original) => (args) => (args.inputs.x.dtype === 'string' ? original(args) : share(args.inputs.x, args.backend)));
  replace('Cast', (original) => (args) => (args.attrs.dtype === args.inputs.x.dtype && args.inputs.x.dtype !== 'string'
    ? share(args.inputs.x, args.backend) : original(args)));
}
