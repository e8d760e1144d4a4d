// Job rows: state (legal transitions only), priority, progress counters, and the lease that says which process runs it.
import { z } from 'zod';
import { JobInputsSchema, JobSpecSchema, type JobInputs, type JobSpec } from '../../shared/job-spec';
import { canTransition, isFinished, type JobState } from '../../shared/job-state';
import { BackendInfoSchema } from '../../shared/provenance';
import type { JobProvenance, JobRecord } from '../../shared/store-types';
import { fromJsonAs, nowIso, toJson } from './json-column';
import { StoreError } from './store-error';
import type { Store } from './store';

interface JobRow {
  id: number;
  kind: string;
  spec: string;
  inputs: string;
  state: JobState;
  priority: number;
  items_total: number;
  items_done: number;
  maps_reused: number;
  error: string | null;
  provenance: string | null;
  model_id: number | null;
  dataset_id: number | null;
  runner: string | null;
  runner_heartbeat: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

const JobProvenanceSchema = z.object({
  appVersion: z.string(),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  backend: BackendInfoSchema.nullable(),
}) satisfies z.ZodType<JobProvenance>;

function toJob(row: JobRow): JobRecord {
  const spec = fromJsonAs(JobSpecSchema, row.spec, `spec of job ${row.id}`);
  return {
    id: row.id,
    kind: spec.kind,
    spec,
    inputs: fromJsonAs(JobInputsSchema, row.inputs, `inputs of job ${row.id}`),
    state: row.state,
    priority: row.priority,
    itemsTotal: row.items_total,
    itemsDone: row.items_done,
    progress: row.items_total === 0 ? (row.state === 'done' ? 1 : 0) : row.items_done / row.items_total,
    mapsReused: row.maps_reused,
    error: row.error,
    provenance: row.provenance === null ? null : fromJsonAs(JobProvenanceSchema, row.provenance, `provenance of job ${row.id}`),
    modelId: row.model_id,
    datasetId: row.dataset_id,
    runner: row.runner,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

export interface JobInsert {
  spec: JobSpec;
  inputs: JobInputs;
  priority: number;
  state: 'queued' | 'paused';
  itemsTotal: number;
  modelId: number | null;
  datasetId: number | null;
}

export function insertJob(store: Store, job: JobInsert): number {
  const now = nowIso();
  const { lastInsertRowid } = store
    .prepare(
      `INSERT INTO jobs (kind, spec, inputs, state, priority, items_total, model_id, dataset_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(job.spec.kind, toJson(job.spec), toJson(job.inputs), job.state, job.priority, job.itemsTotal, job.modelId, job.datasetId, now, now);
  return Number(lastInsertRowid);
}

export function getJob(store: Store, id: number): JobRecord | undefined {
  const row = store.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return row && toJob(row);
}

export function requireJob(store: Store, id: number): JobRecord {
  const job = getJob(store, id);
  if (!job) throw new StoreError('not-found', `There is no job ${id}; "dixw jobs list" shows the existing ones.`);
  return job;
}

/** Newest first. */
export function listJobs(store: Store, filter: { states?: readonly JobState[]; limit?: number } = {}): JobRecord[] {
  const states = filter.states ?? [];
  const where = states.length > 0 ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
  const rows = store.prepare(`SELECT * FROM jobs ${where} ORDER BY id DESC LIMIT ?`).all(...states, filter.limit ?? -1) as JobRow[];
  return rows.map(toJob);
}

/**
 * Moves a job to another state if that move is legal; sets finished_at when it finishes. Does not touch the lease:
 * the process running the job notices and lets go at its next item boundary.
 */
export function transitionJob(store: Store, id: number, to: JobState, changes: { error?: string | null } = {}): JobRecord {
  return store.transaction(() => {
    const job = requireJob(store, id);
    if (!canTransition(job.state, to)) {
      throw new StoreError('illegal-transition', `Job ${id} is ${job.state}; it cannot become ${to}.`);
    }
    const now = nowIso();
    store
      .prepare('UPDATE jobs SET state = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?')
      .run(to, changes.error === undefined ? job.error : changes.error, isFinished(to) ? now : null, now, id);
    return requireJob(store, id);
  });
}

export function setJobPriority(store: Store, id: number, priority: number): JobRecord {
  return store.transaction(() => {
    requireJob(store, id);
    store.prepare('UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?').run(priority, nowIso(), id);
    return requireJob(store, id);
  });
}

export function deleteJob(store: Store, id: number): void {
  store.prepare('DELETE FROM jobs WHERE id = ?').run(id);
}

// ---- the lease ----

/** Decides whether a lease holder is gone (its process died, or it stopped renewing). */
export type StaleRunnerTest = (runner: string, heartbeatMs: number | null) => boolean;

/**
 * Takes the next job to run, atomically: a job left `running` by a dead process first (it resumes), then queued jobs
 * by priority (higher first), then FIFO. Returns it `running` and leased to `runner`. `onlyIds` restricts the choice
 * (a CLI command running its own job in the foreground).
 */
export function claimNextJob(
  store: Store,
  runner: string,
  isStale: StaleRunnerTest,
  provenance: JobProvenance,
  onlyIds?: readonly number[],
): JobRecord | undefined {
  return store.transaction(() => {
    const candidates = store
      .prepare(
        `SELECT id, state, runner, runner_heartbeat FROM jobs WHERE state IN ('running', 'queued')
         ORDER BY state = 'running' DESC, priority DESC, id ASC`,
      )
      .all() as Pick<JobRow, 'id' | 'state' | 'runner' | 'runner_heartbeat'>[];
    const pick = candidates.find(
      (c) => (!onlyIds || onlyIds.includes(c.id)) && (c.runner === null || c.runner === runner || isStale(c.runner, c.runner_heartbeat)),
    );
    if (!pick) return undefined;
    const now = nowIso();
    store
      .prepare(
        `UPDATE jobs SET state = 'running', runner = ?, runner_heartbeat = ?, error = NULL,
           started_at = COALESCE(started_at, ?), provenance = COALESCE(provenance, ?), updated_at = ? WHERE id = ?`,
      )
      .run(runner, Date.now(), now, toJson(provenance), now, pick.id);
    return requireJob(store, pick.id);
  });
}

/** Renews the lease; false when the job is no longer leased to `runner` (taken over or removed). */
export function renewLease(store: Store, id: number, runner: string): boolean {
  return store.prepare('UPDATE jobs SET runner_heartbeat = ? WHERE id = ? AND runner = ?').run(Date.now(), id, runner).changes === 1;
}

export function releaseLease(store: Store, id: number, runner: string): void {
  store.prepare('UPDATE jobs SET runner = NULL, runner_heartbeat = NULL WHERE id = ? AND runner = ?').run(id, runner);
}

/** What the runner checks between items: the state and who holds the lease. */
export function getJobControl(store: Store, id: number): { state: JobState; runner: string | null } | undefined {
  return store.prepare('SELECT state, runner FROM jobs WHERE id = ?').get(id) as { state: JobState; runner: string | null } | undefined;
}

/** The runner ends its job (done or failed) and lets go of the lease in the same statement. */
export function finishLeasedJob(store: Store, id: number, runner: string, to: 'done' | 'failed', error: string | null = null): JobRecord {
  return store.transaction(() => {
    const job = requireJob(store, id);
    if (job.runner !== runner || job.state !== 'running') {
      throw new StoreError('illegal-transition', `Job ${id} is ${job.state}${job.runner === runner ? '' : ' and leased elsewhere'}; it cannot become ${to} here.`);
    }
    const now = nowIso();
    store
      .prepare('UPDATE jobs SET state = ?, error = ?, finished_at = ?, runner = NULL, runner_heartbeat = NULL, updated_at = ? WHERE id = ?')
      .run(to, error, now, now, id);
    return requireJob(store, id);
  });
}

/** Records the compute backend the first time a result reports it. */
export function noteJobBackend(store: Store, id: number, backend: NonNullable<JobProvenance['backend']>): void {
  const row = store.prepare('SELECT provenance FROM jobs WHERE id = ?').get(id) as { provenance: string | null } | undefined;
  if (!row || row.provenance === null) return;
  const p = fromJsonAs(JobProvenanceSchema, row.provenance, `provenance of job ${id}`);
  if (p.backend) return;
  store.prepare('UPDATE jobs SET provenance = ? WHERE id = ?').run(toJson({ ...p, backend }), id);
}

/** A running job whose state was set back to queued (resumed) while its runner still held it: keep running it. */
export function reassertRunning(store: Store, id: number, runner: string): boolean {
  return store
    .prepare("UPDATE jobs SET state = 'running', updated_at = ? WHERE id = ? AND runner = ? AND state = 'queued'")
    .run(nowIso(), id, runner).changes === 1;
}

/** Unfinished (queued, running, paused) jobs that use this dataset or model: they block its removal. */
export function unfinishedJobsUsing(store: Store, what: { datasetId: number } | { modelId: number }): number[] {
  const [column, id] = 'datasetId' in what ? ['dataset_id', what.datasetId] : ['model_id', what.modelId];
  const rows = store
    .prepare(`SELECT id FROM jobs WHERE ${column} = ? AND state IN ('queued', 'running', 'paused') ORDER BY id`)
    .all(id) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Links a job to a model it made (a train job, once its model is registered). */
export function setJobModel(store: Store, id: number, modelId: number): void {
  store.prepare('UPDATE jobs SET model_id = ?, updated_at = ? WHERE id = ?').run(modelId, nowIso(), id);
}
