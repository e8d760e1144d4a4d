// The provenance of one map (docs/methods.md §6.2) and from it the map's content address. The address is known before the
// map is computed (everything in it is decided by the plan, the image and the target class), which is what lets a
// job reuse a stored map instead of computing it.
import type { JsonValue } from '../../../shared/json';
import type { BackendInfo, Provenance } from '../../../shared/provenance';
import { mapKeyFromProvenance } from '../../store/map-key';

export interface MapRecipe {
  methodId: string;
  methodVersion: number;
  /** Every parameter as resolved (defaults filled in). */
  params: Record<string, JsonValue>;
  cutPoints: string[];
}

export interface MapContext {
  modelHash: string;
  datasetHash: string | null;
  seed: number | null;
  backend: BackendInfo;
  appVersion: string;
}

export function mapProvenance(recipe: MapRecipe, targetClass: number, context: MapContext, startedAt: string, finishedAt: string): Provenance {
  return {
    id: recipe.methodId,
    version: recipe.methodVersion,
    params: recipe.params,
    cutPoints: recipe.cutPoints,
    targetClass,
    modelHash: context.modelHash,
    datasetHash: context.datasetHash,
    seed: context.seed,
    backend: context.backend,
    appVersion: context.appVersion,
    startedAt,
    finishedAt,
  };
}

/** The key the map of this recipe for this image and class has, computed or stored. */
export function recipeKey(recipe: MapRecipe, targetClass: number, context: MapContext, imageHash: string): string {
  const stamp = new Date(0).toISOString(); // timestamps are not part of the address
  return mapKeyFromProvenance(mapProvenance(recipe, targetClass, context, stamp, stamp), imageHash);
}
