// One interface for every similarity measure of the sanity tests (docs/methods.md §5.7). A measure compares two raw maps of
// the same size (row-major H x W, as explainImage returns them) and does its own normalization, so callers never
// pre-process. Undefined cases (a constant map under a correlation, a map too small for HOG) give NaN, never a throw:
// one odd map must not stop a long sanity run, and summaries skip NaN values and count them.
export interface SimilarityMeasure {
  id: string;
  /** Bumped when the computation changes, so stored values of an older version are not mixed in. */
  version: number;
  title: string;
  /** One line for --help, tables and figure legends. */
  summary: string;
  /** Similarity of a and b (both h x w, row-major); NaN when undefined. */
  compute(a: Float32Array, b: Float32Array, h: number, w: number): number;
  /** Why the measure is undefined for every h x w map (e.g. smaller than a HOG block), or null when it applies. */
  notApplicable?(h: number, w: number): string | null;
}

/** Checks the two maps hold h x w values each; a mismatch is a programming error, not a user's. */
export function checkMapSizes(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number): void {
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new Error(`similarity: bad map size ${h}x${w}`);
  if (a.length !== h * w || b.length !== h * w) throw new Error(`similarity: maps of ${a.length} and ${b.length} values for ${h}x${w}`);
}
