// A bad --layers is refused before anything is queued, as a bad method is: the model (a registered id, or a folder,
// registered here as the job would register it) is looked up, and every named cut point must be one of its valid
// ones. The job would otherwise be queued and fail in the worker.
import type { WorkbenchService } from '../service/service';
import { resolveModelRef } from '../service/input-refs';
import { UserError } from '../engine/errors';

export async function checkLayers(service: WorkbenchService, command: string, modelRef: string, layers: readonly string[] | undefined): Promise<void> {
  if (!layers?.length) return;
  const { model } = await resolveModelRef(service.store, service.models, modelRef);
  const cutPoints = (model.info as { cutPoints?: Array<{ name: string }> }).cutPoints;
  if (!Array.isArray(cutPoints)) return; // Nothing recorded to check against: the worker says.
  const valid = cutPoints.map((c) => c.name);
  const bad = layers.filter((l) => !valid.includes(l));
  if (bad.length === 0) return;
  throw new UserError(
    `dixw ${command}: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a cut point' : 'are not cut points'} of model ${model.id} (${model.name}); nothing was queued.`,
    `Its cut points: ${valid.join(', ')} ("dixw layers --model ${model.id}" shows their shapes).`,
  );
}
