// A planned method as a map recipe: what its maps' provenance and content address are made of.
import type { JsonValue } from '../../../shared/json';
import type { PlannedMethod } from '../../engine/explain/explain-image';
import type { VisionModel } from '../../engine/model/vision-model';
import type { MapRecipe } from './map-provenance';

/** The method's parameters and cut points as explainImage will use them (IG's map is taken at the input). */
export function recipeOf(vm: VisionModel, planned: PlannedMethod): MapRecipe {
  const used = planned.method.cutPoints(vm, planned.params).map((c) => c.name);
  return {
    methodId: planned.method.id,
    methodVersion: planned.method.version,
    params: JSON.parse(JSON.stringify(planned.params)) as Record<string, JsonValue>,
    cutPoints: used.length ? used : ['input'],
  };
}
