// Which images of a dataset a run takes, and in which order. Classes take turns (round robin), so that any prefix of
// the result (a `limit`, the first N items whose maps a job keeps) samples every class, never the first N files of
// one class by path. Pure, so the job planner and the direct run choose the same images in the same order.

/**
 * The entries with the classes in turn: the first of each class, then the second of each, and so on (each class's
 * entries in their given order; classes in order of first appearance; a class that runs out leaves its turn to the
 * others). Unlabelled entries count as one class.
 */
export function classesInTurn<T extends { label: number | null }>(entries: readonly T[]): T[] {
  const byClass = new Map<number | null, T[]>();
  for (const e of entries) {
    const list = byClass.get(e.label) ?? [];
    list.push(e);
    byClass.set(e.label, list);
  }
  const queues = [...byClass.values()];
  const longest = Math.max(0, ...queues.map((q) => q.length));
  const out: T[] = [];
  for (let round = 0; round < longest; round++) {
    for (const q of queues) if (round < q.length) out.push(q[round]);
  }
  return out;
}

/**
 * The first `perClass` images of each class (if given), with the classes in turn, then the first `limit` of those.
 * The order is the items' order: a job that keeps maps for its first N images keeps a sample across classes.
 */
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
  out = classesInTurn(out);
  return limit !== undefined ? out.slice(0, limit) : out;
}

/**
 * n of the entries taking the classes in turn, so that a training limit keeps every class instead of the first one
 * or two by path. Returned in the input order.
 */
export function balancedHead<T extends { label: number | null }>(entries: readonly T[], n: number): T[] {
  if (n >= entries.length) return [...entries];
  const taken = new Set(classesInTurn(entries).slice(0, n));
  return entries.filter((e) => taken.has(e));
}
