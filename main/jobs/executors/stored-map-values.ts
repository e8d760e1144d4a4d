// A stored map brought back to the size it was computed at, for exports of reused maps. The codec may have kept a
// noise-like map at a lower resolution to fit its byte budget; it is resized (bilinear) to the source grid.
import { resizeBilinear } from '../../engine/data/image-to-input';
import type { DecodedMap } from '../../store/map-codec';

export function atSourceResolution(map: DecodedMap): { values: Float32Array; height: number; width: number } {
  const { height, width, sourceHeight, sourceWidth } = map;
  if (height === sourceHeight && width === sourceWidth) return { values: map.values, height, width };
  return { values: resizeBilinear(map.values, height, width, 1, sourceHeight, sourceWidth), height: sourceHeight, width: sourceWidth };
}
