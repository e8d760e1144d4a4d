// Which items of a job may run on several worker processes at once. Images of explain, metrics and sanity jobs are
// independent (each committed on its own, idempotently); a train job's items are epochs of one model, in order, in
// one worker; a sanity job that trains its model pair does so in its first item ("train-pair"), which every later
// item needs, so that item runs alone before the others are dispatched.
import type { JobSpec } from '../../shared/job-spec';

export interface ParallelPolicy {
  /** At most this many workers for the job (1 = strictly in order, one worker). */
  maxWorkers: number;
  /** The item with ordinal 0 is committed before any other item starts. */
  firstItemAlone: boolean;
}

export function parallelPolicy(spec: JobSpec): ParallelPolicy {
  switch (spec.kind) {
    case 'train':
      return { maxWorkers: 1, firstItemAlone: false };
    case 'sanity':
      return { maxWorkers: Infinity, firstItemAlone: Boolean((spec as { train?: unknown }).train) };
    default:
      return { maxWorkers: Infinity, firstItemAlone: false };
  }
}
