// Synchronous reads (tensor.dataSync()) on the webgpu backend in Node. The engine reads values synchronously (the
// target class, completeness, every map), and TF.js's webgpu readSync goes through OffscreenCanvas, which Node does
// not have ("OffscreenCanvas is not defined"). Here a read copies the tensor's buffer into a mappable one, starts
// mapAsync and turns the event loop (deasync) until the buffer's mapState is 'mapped'. Polling mapState, not awaiting
// the promise: promise reactions do not run inside a nested event-loop turn, the state does change. For the same reason
// the worker's item chain (promise-based) cannot start another item during a read; timers and I/O callbacks can run.
import { createRequire } from 'node:module';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../tf';

const require = createRequire(import.meta.url);

interface TensorData {
  values: unknown;
  dtype: string;
  resource: GPUBuffer;
}

/** What of WebGPUBackend the read uses (TF.js 4.22 internals, hence the pinned version). */
interface BackendInternals {
  tensorMap: { get(dataId: object): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer; releaseBuffer(b: GPUBuffer): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  commandEncoder: GPUCommandEncoder;
  convertAndCacheOnCPU(dataId: object, values: unknown): unknown;
}

/** deasync's loopWhile: runs the event loop once per call of the predicate until it returns false. */
type LoopWhile = (pred: () => boolean) => void;

function loadLoopWhile(): LoopWhile {
  try {
    return (require('deasync') as { loopWhile: LoopWhile }).loopWhile;
  } catch (e) {
    throw new Error(`the webgpu backend needs the optional package deasync for synchronous reads in Node, and it did not load (${(e as Error).message.split('\n')[0]}); reinstall dependencies (npm install)`);
  }
}

/** The GPU buffer's bytes, read synchronously. */
function readBufferSync(be: BackendInternals, buffer: GPUBuffer, loopWhile: LoopWhile): ArrayBuffer {
  const size = buffer.size;
  const staging = be.bufferManager.acquireBuffer(size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
  be.ensureCommandEncoderReady();
  be.endComputePassEncoder();
  be.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
  be.submitQueue();
  let failure: unknown = null;
  staging.mapAsync(GPUMapMode.READ).catch((e: unknown) => { failure = e; });
  loopWhile(() => staging.mapState === 'pending' && failure === null);
  if (staging.mapState !== 'mapped') {
    be.bufferManager.releaseBuffer(staging);
    throw new Error(`webgpu: reading a tensor back from the GPU failed (${failure instanceof Error ? failure.message : 'buffer not mapped'}); the device may have been lost`);
  }
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  be.bufferManager.releaseBuffer(staging);
  return bytes;
}

/** Replaces WebGPUBackend.prototype.readSync with the Node read above (idempotent). */
export function installWebGpuSyncRead(Backend: typeof WebGPUBackend): void {
  const proto = Backend.prototype as unknown as { readSync: (dataId: object) => unknown; __dixwSyncRead?: true };
  if (proto.__dixwSyncRead) return;
  const loopWhile = loadLoopWhile();
  proto.readSync = function readSync(this: BackendInternals, dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values;
    if (data.dtype === 'complex64') throw new Error('webgpu: synchronous reads of complex64 tensors are not supported');
    const bytes = readBufferSync(this, data.resource, loopWhile);
    const values = tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype as tf.DataType);
    return this.convertAndCacheOnCPU(dataId, values);
  };
  proto.__dixwSyncRead = true;
}
