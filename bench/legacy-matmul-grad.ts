// Bench only: the BatchMatMul override as it was before issue 12 (a cached transposed copy of each weight, the
// transposeA case on the stock scalar loop), so that `--legacy` probes measure the old behaviour side by side.
// The input gradient of a dense layer is dy · Wᵀ, a BatchMatMul with transposeB = true, which the wasm backend runs
// on a slow path (measured here: 52 ms for [10 x 1024]·[6272 x 1024]ᵀ against 7-15 ms with a pre-transposed W).
// DIX sends N interpolants backwards through the dense head on every image, so this override keeps a transposed copy
// of each weight matrix it meets, keyed by the weight's data id, and multiplies without the transpose flag.
// Copies whose source data was released (a disposed model, a weight re-assigned by training or randomization) are
// dropped on the next call; the cache is capped in size.
import { tf } from '../main/engine/tf';

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: tf.KernelBackend };
type KernelFn = (args: KernelArgs) => tf.TensorInfo;

/** At most this many cached float32 elements (256 MB). */
const MAX_CACHED_ELEMENTS = 64 * 1024 * 1024;

interface Entry { transposed: tf.TensorInfo; elements: number; lastUse: number }

export function installLegacyMatMulGrad(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original || (original as { dixFast?: boolean }).dixFast) return;
  const run = original.kernelFunc as unknown as KernelFn;
  const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc as unknown as KernelFn;
  const cache = new Map<object, Entry>();
  let cached = 0;
  let clock = 0;

  const drop = (key: object, backend: tf.KernelBackend) => {
    const e = cache.get(key)!;
    backend.disposeData(e.transposed.dataId);
    cached -= e.elements;
    cache.delete(key);
  };

  const kernelFunc: KernelFn = (args) => {
    const { inputs: { a, b }, attrs, backend } = args;
    const elements = b.shape.reduce((x, y) => x * y, 1);
    const rank = b.shape.length;
    if (!attrs.transposeB || attrs.transposeA || rank < 2 || b.shape.slice(0, -2).some((d) => d !== 1) || elements > MAX_CACHED_ELEMENTS) {
      return run(args);
    }
    const store = (backend as unknown as { dataIdMap: { has(id: object): boolean } }).dataIdMap;
    for (const key of [...cache.keys()]) if (!store.has(key)) drop(key, backend);
    let entry = cache.get(b.dataId);
    if (!entry) {
      while (cached + elements > MAX_CACHED_ELEMENTS && cache.size) {
        const oldest = [...cache.entries()].sort((x, y) => x[1].lastUse - y[1].lastUse)[0][0];
        drop(oldest, backend);
      }
      const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
      entry = { transposed: transpose({ inputs: { x: b }, attrs: { perm }, backend }), elements, lastUse: 0 };
      cache.set(b.dataId, entry);
      cached += elements;
    }
    entry.lastUse = ++clock;
    return run({ inputs: { a, b: entry.transposed }, attrs: { ...attrs, transposeB: false }, backend });
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    setupFunc: original.setupFunc, dixFast: true } as tf.KernelConfig);
}
