// A metrics job's summary computed on a worker thread (metrics-summary-worker.ts), so that the process asking -- the
// app's main process, the web server -- keeps answering while a large table's bootstrap intervals are computed. An
// in-memory database (tests) cannot be opened from another thread: its summary is computed here.
import { entryUrl } from '../../shared/entry-url';
import type { MetricsJobSummary } from '../../shared/metrics-summary';
import type { JobRecord } from '../../shared/store-types';
import { WorkerPool } from '../engine/threads/worker-pool';
import { listItems } from '../store/items-repo';
import { requireJob } from '../store/jobs-repo';
import { listScores } from '../store/scores-repo';
import { openStore, type Store } from '../store/store';
import { metricsSummary } from './metrics-results';

export interface MetricsSummaryRequest {
  dbPath: string;
  jobId: number;
}

const fromStore = (store: Store, job: JobRecord) => metricsSummary(job, listItems(store, job.id), listScores(store, { jobId: job.id }));

/** The summary read through a read-only connection of its own (on whichever thread calls it). */
export async function metricsSummaryFromDatabase({ dbPath, jobId }: MetricsSummaryRequest): Promise<MetricsJobSummary> {
  const store = openStore({ path: dbPath, readonly: true });
  try {
    return await fromStore(store, requireJob(store, jobId));
  } finally {
    store.close();
  }
}

let pool: WorkerPool<MetricsSummaryRequest, MetricsJobSummary> | null = null;

export function metricsSummaryOffThread(store: Store, job: JobRecord): Promise<MetricsJobSummary> {
  if (store.path === ':memory:') return fromStore(store, job);
  // One thread: summaries are asked for one at a time, and the job's own worker process has the other cores.
  pool ??= new WorkerPool(entryUrl(import.meta.url, './metrics-summary-worker.ts'), 1, metricsSummaryFromDatabase);
  return pool.run({ dbPath: store.path, jobId: job.id });
}

/** Summaries computed by the worker thread and on the calling thread so far (tests). */
export function metricsSummaryCounts(): { worker: number; here: number } {
  return pool ? { ...pool.counts } : { worker: 0, here: 0 };
}
