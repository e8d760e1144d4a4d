// Every planned metric on every map of one image, the maps sharing the image's state and each map its own state.
import type { ImageScore } from './metric';
import type { ImageState } from './image-state';
import { MapState } from './map-state';
import type { PlannedMetric } from './registry';

/** scores[method][metric] for raw H x W maps. */
export async function scoreMaps(image: ImageState, maps: Array<{ method: string; map: ArrayLike<number> }>, metrics: PlannedMetric[]):
  Promise<Record<string, Record<string, ImageScore>>> {
  const scores: Record<string, Record<string, ImageScore>> = {};
  for (const { method, map } of maps) {
    const state = new MapState(map, image.height, image.width);
    scores[method] = {};
    for (const { metric, params } of metrics) scores[method][metric.id] = await metric.score(image, state, params);
  }
  return scores;
}
