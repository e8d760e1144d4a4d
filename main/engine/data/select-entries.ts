// Which images of a dataset a run takes: a balanced sample (the first N of each class, in path order), then the
// first `limit`. Pure, so the job planner and the direct run choose the same images.

/** The first `perClass` images of each class (if given), then the first `limit` of those, in path order. */
export function selectEntries<T extends { label: number | null }>(entries: readonly T[], perClass?: number, limit?: number): T[] {
  let out = [...entries];
  if (perClass !== undefined) {
    const seen = new Map<number | null, number>();
    out = out.filter((e) => {
      const n = seen.get(e.label) ?? 0;
      seen.set(e.label, n + 1);
      return n < perClass;
    });
  }
  return limit !== undefined ? out.slice(0, limit) : out;
}
