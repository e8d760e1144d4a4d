// Buffer limits of the WebGPU adapter. Every tensor is one GPU buffer bound as a storage buffer, and a binding larger
// than the adapter's maxStorageBufferBindingSize (128 MiB on lavapipe and on many hardware adapters) is not an error
// TF.js reports: Dawn prints a validation message and the result is garbage. So a model whose single tensors cannot
// fit is refused before any image (with the numbers), and batches are capped so that the tensors they make fit.
import { UserError } from '../errors';
import type { VisionModel } from '../model/vision-model';
import { webGpuAdapter } from './webgpu';

const MB = 1024 ** 2;
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;

/** The largest tensor the running webgpu backend can bind, or null when webgpu is not running. */
export function webGpuBindingLimit(): number | null {
  const a = webGpuAdapter();
  return a ? Math.min(a.limits.maxStorageBufferBindingSize, a.limits.maxBufferSize) : null;
}

export interface TensorNeed {
  what: string;
  bytes: number;
}

/** The model's single tensors at batch 1: the input, every cut point's activation, every weight. */
export function modelTensorNeeds(vm: VisionModel): TensorNeed[] {
  const { height, width, channels } = vm.preprocessing;
  const needs: TensorNeed[] = [{ what: `the input (${height}x${width}x${channels})`, bytes: 4 * height * width * channels }];
  for (const c of vm.cuts) needs.push({ what: `activation ${c.name} (${c.shape.join('x')})`, bytes: 4 * c.shape.reduce((a, b) => a * b, 1) });
  for (const m of vm.parameterizedModules()) {
    for (const w of m.weights) needs.push({ what: `weight ${m.name}/${w.role} (${w.read().shape.join('x')})`, bytes: 4 * w.read().size });
  }
  return needs;
}

/** Throws a UserError, with the numbers, when a tensor of `needs` exceeds `limit` bytes. */
export function assertTensorsFit(needs: TensorNeed[], limit: number, adapter: string): void {
  const over = needs.filter((n) => n.bytes > limit).sort((a, b) => b.bytes - a.bytes);
  if (!over.length) return;
  const list = over.slice(0, 5).map((n) => `${n.what}: ${mb(n.bytes)}`).join('; ');
  throw new UserError(
    `The model does not fit the WebGPU adapter (${adapter}): it binds at most ${mb(limit)} per tensor, and ${over.length} tensor${over.length === 1 ? '' : 's'} of this model ${over.length === 1 ? 'is' : 'are'} larger (${list}${over.length > 5 ? '; ...' : ''}).`,
    'Use another backend (--backend wasm, or tensorflow-gpu on NVIDIA), a smaller input size, or a GPU whose adapter allows larger buffers (`dixw doctor` lists the limits).');
}

/** Refuses, before any image, a model that cannot run on the webgpu backend; a no-op on other backends. */
export function assertModelFitsBackend(vm: VisionModel): void {
  const limit = webGpuBindingLimit();
  if (limit === null) return;
  assertTensorsFit(modelTensorNeeds(vm), limit, webGpuAdapter()!.description);
}

/** The largest batch whose tensors stay within the binding limit: every activation after the cut together per sample
 *  bounds any single one of them, so the cap is safe. Infinity when webgpu is not running. */
export function webGpuBatchCap(bytesPerSample: number, limit = webGpuBindingLimit()): number {
  if (limit === null) return Infinity;
  return Math.max(1, Math.floor(limit / Math.max(1, bytesPerSample)));
}
