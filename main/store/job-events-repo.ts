// A job's log: crashes, retries, warnings. Kept with the job and removed with it.
import type { JobEventRecord } from '../../shared/store-types';
import { nowIso } from './json-column';
import type { Store } from './store';

export function addJobEvent(store: Store, jobId: number, level: JobEventRecord['level'], message: string): void {
  store.prepare('INSERT INTO job_events (job_id, at, level, message) VALUES (?, ?, ?, ?)').run(jobId, nowIso(), level, message);
}

/** Oldest first; `limit` keeps the newest. */
export function listJobEvents(store: Store, jobId: number, limit = 1000): JobEventRecord[] {
  const rows = store
    .prepare('SELECT id, job_id AS jobId, at, level, message FROM job_events WHERE job_id = ? ORDER BY id DESC LIMIT ?')
    .all(jobId, limit) as JobEventRecord[];
  return rows.reverse();
}
