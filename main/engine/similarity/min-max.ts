// Min-max normalization to [0, 1] in float64, the normalization SSIM and HOG similarity work on (docs/methods.md §5.7.3-5.7.4, as
// Adebayo et al.'s normalize_image). A constant map becomes all zeros, as map-ops.ts's minMax does for metrics.

export function minMaxNormalize(map: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (map[i] < lo) lo = map[i];
    if (map[i] > hi) hi = map[i];
  }
  const out = new Float64Array(map.length);
  const range = hi - lo;
  if (!(range > 0)) return out;
  for (let i = 0; i < map.length; i++) out[i] = (map[i] - lo) / range;
  return out;
}
