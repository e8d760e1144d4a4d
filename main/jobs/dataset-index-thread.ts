// A dataset folder indexed on a worker thread (dataset-index-worker.ts): reading and hashing every image of a large
// folder takes seconds, and the process asking -- the app's main process, the web server -- must keep answering
// other requests meanwhile. A user error (a missing folder, a bad labels.csv) comes back as one, message and hint.
import { entryUrl } from '../../shared/entry-url';
import { DatasetError } from '../engine/data/dataset-folder';
import { isUserError } from '../engine/errors';
import { WorkerPool } from '../engine/threads/worker-pool';
import { indexDataset, type IndexedFolder } from './engine-inputs';

/** What the thread answers: the index, or the user error that refused the folder (an Error loses its hint on the way). */
export type IndexReply = { ok: true; index: IndexedFolder } | { ok: false; message: string; hint?: string };

/** Indexes the folder on whichever thread calls it. */
export async function indexDatasetReply(root: string): Promise<IndexReply> {
  try {
    return { ok: true, index: indexDataset(root) };
  } catch (e) {
    if (isUserError(e)) return { ok: false, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    throw e;
  }
}

let pool: WorkerPool<string, IndexReply> | null = null;

export async function indexDatasetOffThread(root: string): Promise<IndexedFolder> {
  // One thread: folders are added one at a time, and a job's worker process has the other cores.
  pool ??= new WorkerPool(entryUrl(import.meta.url, './dataset-index-worker.ts'), 1, indexDatasetReply);
  const reply = await pool.run(root);
  if (!reply.ok) throw new DatasetError(reply.message, root, reply.hint);
  return reply.index;
}

/** Folders indexed by the worker thread and on the calling thread so far (tests). */
export function datasetIndexCounts(): { worker: number; here: number } {
  return pool ? { ...pool.counts } : { worker: 0, here: 0 };
}
