// Every planned metric on every map of one image, the maps sharing the image's state and each map its own state.
// Metrics that can work beside the model are prepared for every map first, so their threads run while the model does.
import type { ImageScore } from './metric';
import type { ImageState } from './image-state';
import { MapState } from './map-state';
import type { PlannedMetric } from './registry';

/** scores[method][metric] for raw H x W maps. */
export async function scoreMaps(image: ImageState, maps: Array<{ method: string; map: ArrayLike<number> }>, metrics: PlannedMetric[]):
  Promise<Record<string, Record<string, ImageScore>>> {
  const scores: Record<string, Record<string, ImageScore>> = {};
  const states = maps.map(({ map }) => new MapState(map, image.height, image.width));
  // Work that runs beside the model (SIC/AIC's images on worker threads) starts for every map before any model call.
  for (const state of states) for (const { metric, params } of metrics) metric.prepare?.(image, state, params);
  for (const [i, { method }] of maps.entries()) {
    const state = states[i];
    scores[method] = {};
    for (const { metric, params } of metrics) scores[method][metric.id] = await metric.score(image, state, params);
  }
  return scores;
}
