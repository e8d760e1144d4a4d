// One map as the metrics read it: min-max normalized, with pixel orders and perturbation results computed once and
// shared by the metrics that need them (NEG and INS share one curve, POS and DEL another, SIC and AIC their images).
import { normalizeMap, pixelOrder, type Ordering } from './map-order';

export class MapState {
  /** Min-max normalized map, H x W row-major, or null when the raw map is not finite. */
  readonly map: Float32Array | null;
  private readonly cache = new Map<string, unknown>();

  constructor(raw: ArrayLike<number>, readonly height: number, readonly width: number) {
    if (raw.length !== height * width) throw new Error(`MapState: expected ${height}x${width} values, got ${raw.length}`);
    this.map = normalizeMap(raw);
  }

  order(ordering: Ordering): Int32Array {
    return this.memo(`order:${ordering}`, () => pixelOrder(this.map!, ordering));
  }

  memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }
}
