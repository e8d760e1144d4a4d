// How many interpolants (or perturbed images) to send through the tail of a network at once: the largest batch whose
// memory fits the backend's budget. Full-width VGG-16 at 224x224 with IG's default batch of all 10 interpolants needed
// more than the wasm32 heap's 4 GB and died ("memory access out of bounds") or ground at the limit; at batch 1 it fit.
//
// The cost of one sample is a multiple of the float32 bytes of every activation after the cut
// (vm.tailActivationBytes(cut)): a gradient keeps the forward activations TF.js saves for backward, plus the
// gradients in flight and the kernels' scratch. Measured with bench/probe-explain-memory.ts on the wasm backend (heap
// growth per extra sample over tail bytes): VGG-16 224x224 IG 3.8-4.6x, resnet18 224x224 see README's Benchmark;
// ACTIVATION_FACTOR keeps a margin above that. The fixed part is the weights, the packed copies XNNPACK makes of
// them (about as large again) and what is already allocated.
import os from 'node:os';
import { tf } from '../tf';
import { currentBackend } from './select-backend';
import { webGpuBatchCap } from './webgpu-memory';

/** Bytes one sample costs per byte of tail activations (forward saved + backward + scratch), with a margin. */
export const ACTIVATION_FACTOR = 5;
/** The wasm32 address space: the heap can never grow past it. */
export const WASM_HEAP_LIMIT = 4 * 1024 ** 3;

export interface BatchChoice {
  /** Float32 bytes of every activation after the cut, for one sample (vm.tailActivationBytes(cut)). */
  bytesPerSample: number;
  /** How many samples there are to run (N interpolants); the batch never exceeds it. */
  total: number;
  /** Bytes the batch may use (see memoryBudget()). */
  availableBytes: number;
  /** Default ACTIVATION_FACTOR. */
  activationFactor?: number;
  /** An upper bound on its own, e.g. from a setting. */
  maxBatch?: number;
}

/** The largest batch of samples that fits: floor(available / (factor x bytesPerSample)), within [1, total]. Pure. */
export function chooseBatchSize(o: BatchChoice): number {
  const total = Math.max(1, Math.floor(o.total));
  const perSample = (o.activationFactor ?? ACTIVATION_FACTOR) * Math.max(1, o.bytesPerSample);
  const fits = Math.floor(Math.max(0, o.availableBytes) / perSample);
  return Math.max(1, Math.min(total, fits, o.maxBatch ?? Infinity));
}

export interface MemoryBudget {
  backend: string;
  /** What a batch may use. */
  availableBytes: number;
  /** The hard limit the budget is taken from (wasm: the 4 GB address space; else a share of the machine's memory). */
  limitBytes: number;
  /** Live tensor bytes now (weights included), per TF.js. */
  liveBytes: number;
  /** The wasm heap's current size (it only grows), 0 on other backends. */
  heapBytes: number;
}

export interface BudgetOptions {
  /** The model's weights in bytes (countParams() x 4): XNNPACK keeps a packed copy of about this size on wasm. */
  weightBytes?: number;
  /** Test hooks: the backend name and its numbers instead of reading them. */
  backend?: string;
  liveBytes?: number;
  heapBytes?: number;
  freeMemoryBytes?: number;
  /** DIXW_BATCH_MEMORY_MB overrides the limit (any backend); e.g. a GPU's memory. */
  env?: NodeJS.ProcessEnv;
}

/** The backend initBackend chose ('tensorflow-gpu' is told apart from 'tensorflow' there), else TF.js's own name. */
function activeBackendName(): string {
  try {
    return currentBackend().name;
  } catch {
    return tf.getBackend();
  }
}

/** The wasm heap's current size in bytes (0 when wasm is not the active backend). */
export function wasmHeapBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0;
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

/**
 * The memory a batch may use on the active backend now. wasm: the 4 GB address space minus live tensors, XNNPACK's
 * packed weights and a reserve for fragmentation (the heap never shrinks, and a freed block is reused only by an
 * allocation that fits in it). tensorflow / cpu: half the free memory. tensorflow-gpu, webgpu: 2 GB unless
 * DIXW_BATCH_MEMORY_MB says otherwise (neither TF.js nor WebGPU can read the GPU's free memory).
 */
export function memoryBudget(o: BudgetOptions = {}): MemoryBudget {
  const env = o.env ?? process.env;
  const backend = o.backend ?? activeBackendName();
  const liveBytes = o.liveBytes ?? tf.memory().numBytes;
  const heapBytes = o.heapBytes ?? (backend === 'wasm' ? wasmHeapBytes() : 0);
  const override = Number(env.DIXW_BATCH_MEMORY_MB);
  const overrideBytes = Number.isFinite(override) && override > 0 ? override * 1024 ** 2 : null;
  let limitBytes: number;
  let availableBytes: number;
  if (backend === 'wasm') {
    limitBytes = overrideBytes ?? WASM_HEAP_LIMIT;
    const reserve = 0.1 * limitBytes + 256 * 1024 ** 2;
    availableBytes = limitBytes - liveBytes - (o.weightBytes ?? 0) - reserve;
  } else {
    const free = o.freeMemoryBytes ?? os.freemem();
    limitBytes = overrideBytes ?? (backend === 'tensorflow-gpu' || backend === 'webgpu' ? 2 * 1024 ** 3 : free / 2);
    availableBytes = backend === 'cpu' || backend === 'tensorflow' ? limitBytes : limitBytes - liveBytes;
  }
  return { backend, availableBytes: Math.max(0, availableBytes), limitBytes, liveBytes, heapBytes };
}

/** chooseBatchSize with the active backend's budget: what the methods' batching calls. On webgpu the batch is also
 *  capped by the adapter's largest buffer binding (webgpu-memory.ts). */
export function batchForMemory(bytesPerSample: number, total: number, weightBytes: number, maxBatch?: number): number {
  const cap = Math.min(maxBatch ?? Infinity, webGpuBatchCap(bytesPerSample));
  return chooseBatchSize({ bytesPerSample, total, availableBytes: memoryBudget({ weightBytes }).availableBytes, maxBatch: cap });
}
