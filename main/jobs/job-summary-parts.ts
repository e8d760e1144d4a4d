// What the explain summary (main/service) and the metrics summary (main/jobs) have in common, in the jobs layer so
// both compute it one way: which job on which inputs, and how long its maps took. A reused map has no compute time,
// so it counts as reused, not computed, and is left out of the medians.
import type { JobRecord } from '../../shared/store-types';

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface JobHeader {
  jobId: number;
  state: JobRecord['state'];
  model: { path: string; hash: string };
  dataset: { path: string; hash: string; images: number };
}

/** The job and its inputs as queued; a missing input shows as empty paths and hashes. Spread after `kind`. */
export function jobHeader(job: JobRecord): JobHeader {
  return {
    jobId: job.id,
    state: job.state,
    model: { path: job.inputs.model?.path ?? '', hash: job.inputs.model?.hash ?? '' },
    dataset: { path: job.inputs.dataset?.root ?? '', hash: job.inputs.dataset?.hash ?? '', images: job.itemsTotal },
  };
}

export interface MapTimings {
  /** Maps computed (not reused) over all images. */
  computed: number;
  /** Per name, in the order given; null when every such map was reused. */
  medianMillis: Record<string, number | null>;
}

/** Timings per method or configuration name; a map under a name not listed still counts as computed. */
export function mapTimings<T extends { millis: number | null }>(
  names: readonly string[], perImage: readonly (readonly T[])[], nameOf: (map: T) => string,
): MapTimings {
  const millis = new Map<string, number[]>(names.map((n) => [n, []]));
  let computed = 0;
  for (const maps of perImage) {
    for (const m of maps) {
      if (m.millis === null) continue;
      computed++;
      millis.get(nameOf(m))?.push(m.millis);
    }
  }
  return { computed, medianMillis: Object.fromEntries([...millis].map(([n, xs]) => [n, median(xs)])) };
}
