// The process's pool for WebP sizes: the lossless encodings, most of SIC/AIC's cost that is not the model, run on
// worker threads while the model runs on this thread; see threads/worker-pool.ts.
import { entryUrl } from '../../../shared/entry-url';
import { WorkerPool, defaultThreadCount, type PoolTask } from '../threads/worker-pool';
import { webpSize, type WebpSizeRequest } from './webp-size';

let pool: WorkerPool<WebpSizeRequest, number> | null = null;
let threads: number | null = null;

function webpPool(): WorkerPool<WebpSizeRequest, number> {
  pool ??= new WorkerPool(entryUrl(import.meta.url, './webp-worker.ts'), threads ?? defaultThreadCount(), webpSize);
  return pool;
}

/** Queues one image's WebP size (the image is copied to the worker). */
export function submitWebpSize(req: WebpSizeRequest): PoolTask<number> {
  return webpPool().submit(req);
}

/** The sizes, in order; those no worker has begun are measured on this thread. */
export function settleWebpSizes(tasks: Array<PoolTask<number>>): Promise<number[]> {
  return webpPool().settle(tasks);
}

/** Sets the pool's worker threads (0: every encoding on the calling thread; null: the default), replacing the pool. */
export async function setWebpThreads(n: number | null): Promise<void> {
  const p = pool;
  pool = null;
  threads = n;
  await p?.close();
}

/** Encodings done by workers and on the calling thread so far, and the pool's size (the bench reports them). */
export function webpPoolStats(): { here: number; worker: number; threads: number } {
  const p = webpPool();
  return { ...p.counts, threads: p.size };
}
