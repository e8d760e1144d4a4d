// The worker-thread side of WorkerPool: takes each task whose claim word is still free, runs it and answers
// { id, ok, res } or { id, ok: false, error }; a task the calling thread claimed first is answered { id, skipped }.
import { parentPort } from 'node:worker_threads';
import { CLAIM_FREE, CLAIM_WORKER, type TaskReply, type ThreadReady } from './worker-pool';

export function serveTasks<Req, Res>(run: (req: Req) => Promise<{ res: Res; transfer?: ArrayBuffer[] }>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks() runs only inside a worker thread');
  // One task at a time, in arrival order: a task that is still queued here can be claimed by the calling thread.
  let chain = Promise.resolve();
  port.on('message', (m: { id: number; req: Req; claim: Int32Array }) => {
    chain = chain.then(async () => {
      const reply = (r: TaskReply<Res>, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
      if (Atomics.compareExchange(m.claim, 0, CLAIM_FREE, CLAIM_WORKER) !== CLAIM_FREE) return reply({ id: m.id, skipped: true });
      try {
        const { res, transfer } = await run(m.req);
        reply({ id: m.id, ok: true, res }, transfer);
      } catch (e) {
        reply({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    });
  });
  // Every import of the entry has loaded by now (this runs in its body): the pool knows the thread started.
  port.postMessage({ ready: true } satisfies ThreadReady);
}
