// How a method runs, as opposed to what it computes: settings that must not change a map (batch sizes today; threads
// and devices later). Kept apart from the method's parameters so that a map's identity (its content address and
// provenance) never depends on the machine that computed it: a map computed in batches of 2 is reused by a job that
// would batch 10.
import type { CutPoint, VisionModel } from '../model/vision-model';
import { batchForMemory } from '../backend/batch-memory';
import { webGpuBatchCap } from '../backend/webgpu-memory';

export interface RunSettings {
  /** Items per forward/backward batch; absent = chosen from memory. */
  batchSize?: number;
}

/** The batch for `total` inputs of f^l after `cut`: the user's setting, else the largest that fits in memory. On
 *  webgpu never more than one buffer binding holds (a larger one gives garbage, and the batch does not change a map). */
export function batchFor(vm: VisionModel, cut: CutPoint, total: number, settings: RunSettings): number {
  if (settings.batchSize !== undefined) {
    return Math.max(1, Math.min(settings.batchSize, total, webGpuBatchCap(vm.tailActivationBytes(cut))));
  }
  return batchForMemory(vm.tailActivationBytes(cut), total, 4 * vm.countParams());
}

