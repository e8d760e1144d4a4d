// The persisted queue's operations: enqueue a validated spec with its items, and the user's verbs
// (pause, resume, cancel, retry, rm), each allowed only from the states shared/job-state.ts lists.
import { JobInputsSchema, parseJobSpec, type JobInputs, type ParseJobSpecOptions } from '../../shared/job-spec';
import { canApply, JOB_ACTIONS, type JobAction, type JobState } from '../../shared/job-state';
import type { JobRecord } from '../../shared/store-types';
import { deleteJob, insertJob, requireJob, transitionJob } from '../store/jobs-repo';
import { insertItems, resetItemsForRetry, type PlannedItem } from '../store/items-repo';
import { deleteOrphanMaps } from '../store/maps-repo';
import { StoreError } from '../store/store-error';
import type { Store } from '../store/store';

export interface EnqueueRequest {
  /** Validated here (unknown fields and values refused with their names). */
  spec: unknown;
  /** The job's units of work, in run order (see plan-items.ts). */
  items: readonly PlannedItem[];
  inputs?: JobInputs;
  /** Higher runs first; equal priorities run in queue order. */
  priority?: number;
  modelId?: number | null;
  datasetId?: number | null;
  /** Queue it held (paused) instead of runnable. */
  paused?: boolean;
  specOptions?: ParseJobSpecOptions;
}

export function enqueueJob(store: Store, request: EnqueueRequest): JobRecord {
  const spec = parseJobSpec(request.spec, request.specOptions);
  const inputs = JobInputsSchema.parse(request.inputs ?? {});
  const seen = new Set<string>();
  for (const item of request.items) {
    if (seen.has(item.key)) throw new StoreError('invalid-data', `Item key "${item.key}" appears twice; every item of a job needs its own key.`);
    seen.add(item.key);
  }
  return store.transaction(() => {
    const id = insertJob(store, {
      spec,
      inputs,
      priority: request.priority ?? 0,
      state: request.paused ? 'paused' : 'queued',
      itemsTotal: request.items.length,
      modelId: request.modelId ?? inputs.model?.id ?? null,
      datasetId: request.datasetId ?? inputs.dataset?.id ?? null,
    });
    insertItems(store, id, request.items);
    return requireJob(store, id);
  });
}

/** A running job finishes the item in progress, then stops. */
export function pauseJob(store: Store, id: number): JobRecord {
  return act(store, id, 'pause', () => transitionJob(store, id, 'paused'));
}

/** Back in the queue; it continues at its first uncommitted item. */
export function resumeJob(store: Store, id: number): JobRecord {
  return act(store, id, 'resume', () => transitionJob(store, id, 'queued'));
}

/** A running job's item in progress is abandoned; committed items stay. */
export function cancelJob(store: Store, id: number): JobRecord {
  return act(store, id, 'cancel', () => transitionJob(store, id, 'cancelled'));
}

/** Runs a failed or cancelled job again from its first uncommitted item, with fresh crash counts. */
export function retryJob(store: Store, id: number): JobRecord {
  return act(store, id, 'retry', () => {
    resetItemsForRetry(store, id);
    return transitionJob(store, id, 'queued', { error: null });
  });
}

/** Deletes the job, its items and results, and the maps no other job uses. Refused while it runs. */
export function removeJob(store: Store, id: number): { mapsDeleted: number } {
  return act(store, id, 'rm', () => {
    deleteJob(store, id);
    return { mapsDeleted: deleteOrphanMaps(store) };
  });
}

function act<T>(store: Store, id: number, action: JobAction, apply: () => T): T {
  return store.transaction(() => {
    const job = requireJob(store, id);
    if (!canApply(action, job.state)) {
      const allowed = (JOB_ACTIONS[action] as readonly JobState[]).join(' or ');
      throw new StoreError('illegal-transition', `Job ${id} is ${job.state}; ${action} works on ${allowed} jobs.`);
    }
    return apply();
  });
}
