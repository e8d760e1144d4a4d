// How metrics read a map (docs/methods.md §4.1): min-max normalized to [0, 1] first, pixels ranked by value with ties broken
// by pixel index (row-major), in either direction.
export type Ordering = 'most-first' | 'least-first';

/** Min-max to [0, 1] (a constant map becomes all zeros); null when the map holds a NaN or an infinity. */
export function normalizeMap(map: ArrayLike<number>): Float32Array | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!Number.isFinite(v)) return null;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(map.length);
  const range = hi - lo;
  if (range > 0) for (let i = 0; i < map.length; i++) out[i] = (map[i] - lo) / range;
  return out;
}

/** Pixel indices in the order they are taken: by value (descending for most-first), equal values by index ascending. */
export function pixelOrder(map: ArrayLike<number>, ordering: Ordering): Int32Array {
  const idx = Int32Array.from({ length: map.length }, (_, i) => i);
  const sign = ordering === 'most-first' ? -1 : 1;
  // Int32Array.prototype.sort with a comparator is stable and compares the values directly.
  return idx.sort((a, b) => sign * (map[a] - map[b]) || a - b);
}

/** rank[pixel] = the pixel's position in `order`. */
export function ranksOf(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) rank[order[i]] = i;
  return rank;
}
