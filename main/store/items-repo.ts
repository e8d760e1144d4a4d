// Items: a job's units of work, in order. "Done" means committed with its results (see commit-item.ts).
import type { JsonValue } from '../../shared/json';
import type { ItemState } from '../../shared/job-state';
import type { ItemRecord } from '../../shared/store-types';
import { fromJson, nowIso, toJson } from './json-column';
import type { Store } from './store';

export interface PlannedItem {
  key: string;
  payload: JsonValue;
}

interface ItemRow {
  id: number;
  job_id: number;
  ordinal: number;
  key: string;
  payload: string;
  state: ItemState;
  attempts: number;
  crashes: number;
  error: string | null;
  output: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

function toItem(row: ItemRow): ItemRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    ordinal: row.ordinal,
    key: row.key,
    payload: fromJson(row.payload),
    state: row.state,
    attempts: row.attempts,
    crashes: row.crashes,
    error: row.error,
    output: fromJson(row.output),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

/** Ordinals follow the array order. A duplicate key fails the whole insert (UNIQUE (job_id, key)). */
export function insertItems(store: Store, jobId: number, items: readonly PlannedItem[]): void {
  const insert = store.prepare('INSERT INTO items (job_id, ordinal, key, payload) VALUES (?, ?, ?, ?)');
  items.forEach((item, ordinal) => insert.run(jobId, ordinal, item.key, toJson(item.payload)));
}

export function getItem(store: Store, id: number): ItemRecord | undefined {
  const row = store.prepare('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined;
  return row && toItem(row);
}

export function findItem(store: Store, jobId: number, key: string): ItemRecord | undefined {
  const row = store.prepare('SELECT * FROM items WHERE job_id = ? AND key = ?').get(jobId, key) as ItemRow | undefined;
  return row && toItem(row);
}

/** The first uncommitted item: where a job starts or resumes. */
export function nextPendingItem(store: Store, jobId: number): ItemRecord | undefined {
  const row = store
    .prepare("SELECT * FROM items WHERE job_id = ? AND state = 'pending' ORDER BY ordinal LIMIT 1")
    .get(jobId) as ItemRow | undefined;
  return row && toItem(row);
}

export function listItems(store: Store, jobId: number, filter: { state?: ItemState; limit?: number; offset?: number } = {}): ItemRecord[] {
  const rows = (
    filter.state
      ? store.prepare('SELECT * FROM items WHERE job_id = ? AND state = ? ORDER BY ordinal LIMIT ? OFFSET ?').all(jobId, filter.state, filter.limit ?? -1, filter.offset ?? 0)
      : store.prepare('SELECT * FROM items WHERE job_id = ? ORDER BY ordinal LIMIT ? OFFSET ?').all(jobId, filter.limit ?? -1, filter.offset ?? 0)
  ) as ItemRow[];
  return rows.map(toItem);
}

export function countItems(store: Store, jobId: number): Record<ItemState, number> {
  const counts: Record<ItemState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
  const rows = store.prepare('SELECT state, count(*) AS n FROM items WHERE job_id = ? GROUP BY state').all(jobId) as { state: ItemState; n: number }[];
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}

/** recentFinishes' query (parameters: job id, limit); read off the index items_by_job_finish (migration 003). */
export const RECENT_FINISHES_SQL =
  "SELECT finished_at AS finishedAt, duration_ms AS durationMs FROM items WHERE job_id = ? AND state = 'done' AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?";

/** The finish times of a job's last `limit` committed items (for its rate and ETA: shared/job-rate.ts). */
export function recentFinishes(store: Store, jobId: number, limit: number): { finishedAt: string; durationMs: number | null }[] {
  return store.prepare(RECENT_FINISHES_SQL).all(jobId, limit) as { finishedAt: string; durationMs: number | null }[];
}

/** Sent to a worker: counts the attempt. */
export function markItemRunning(store: Store, id: number): ItemRecord {
  store.prepare("UPDATE items SET state = 'running', attempts = attempts + 1, started_at = ? WHERE id = ? AND state = 'pending'").run(nowIso(), id);
  return getItem(store, id)!;
}

/** Items a dead runner had sent out were never committed: they are pending again. */
export function resetRunningItems(store: Store, jobId: number): number {
  return store.prepare("UPDATE items SET state = 'pending' WHERE job_id = ? AND state = 'running'").run(jobId).changes;
}

/** Back to pending after an interruption that was not the item's fault (cancel, shutdown). */
export function returnItem(store: Store, id: number): void {
  store.prepare("UPDATE items SET state = 'pending' WHERE id = ? AND state = 'running'").run(id);
}

/** The worker died on this item: pending again, with the crash counted; returns the crash count. */
export function recordItemCrash(store: Store, id: number, cause: string): number {
  store.prepare("UPDATE items SET state = 'pending', crashes = crashes + 1, error = ? WHERE id = ? AND state = 'running'").run(cause, id);
  return (store.prepare('SELECT crashes FROM items WHERE id = ?').get(id) as { crashes: number }).crashes;
}

export function markItemFailed(store: Store, id: number, error: string): void {
  store.prepare("UPDATE items SET state = 'failed', error = ?, finished_at = ? WHERE id = ? AND state != 'done'").run(error, nowIso(), id);
}

/** For retry: failed and interrupted items run again, with fresh crash counts; done items stay done. */
export function resetItemsForRetry(store: Store, jobId: number): number {
  return store
    .prepare("UPDATE items SET state = 'pending', crashes = 0, error = NULL, finished_at = NULL WHERE job_id = ? AND state != 'done'")
    .run(jobId).changes;
}
