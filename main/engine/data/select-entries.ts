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

/**
 * n of the entries taking the classes in turn (each class's entries in their order; classes in order of first
 * appearance), so that a training limit keeps every class instead of the first one or two by path. Returned in the
 * input order. Unlabelled entries count as one class.
 */
export function balancedHead<T extends { label: number | null }>(entries: readonly T[], n: number): T[] {
  if (n >= entries.length) return [...entries];
  const byClass = new Map<number | null, number[]>();
  entries.forEach((e, i) => {
    const list = byClass.get(e.label) ?? [];
    list.push(i);
    byClass.set(e.label, list);
  });
  const queues = [...byClass.values()];
  const taken = new Set<number>();
  for (let round = 0; taken.size < n; round++) {
    for (const q of queues) if (round < q.length && taken.size < n) taken.add(q[round]);
  }
  return entries.filter((_, i) => taken.has(i));
}
