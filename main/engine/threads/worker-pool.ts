// A small pool of worker threads for CPU work that can run beside the model (the model runs on the calling thread,
// synchronously: the wasm and cpu backends are single-threaded here). Every task goes to a worker's queue at once, so
// a worker never waits for the calling thread to hand it work; the calling thread blocks in model calls for long
// stretches. A caller that needs results now settles them: it runs on its own thread each task that no worker has
// begun, so no core idles while it waits. Who runs a task is decided by a shared claim word (Atomics), never twice.
// Workers are started on first use and hold the process open only while they have tasks.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { debuglog } from 'node:util';
import { isSourceModule } from '../../../shared/entry-url';
import { UserError } from '../errors';

/** Claim word values: 0 nobody yet, 1 a worker, 2 the calling thread. */
export const CLAIM_FREE = 0;
export const CLAIM_WORKER = 1;
export const CLAIM_HERE = 2;

interface Task<Req, Res> {
  id: number;
  req: Req;
  /** Run on the calling thread if no worker can take it (run()); else it waits to be settled. */
  hereIfNoWorker: boolean;
  claim: Int32Array;
  promise: Promise<Res>;
  resolve(r: Res): void;
  reject(e: unknown): void;
}

export type PoolTask<Res> = { readonly promise: Promise<Res> };

/** What a worker answers: a result, an error, or that the calling thread had already claimed the task. */
export type TaskReply<Res> = { id: number; ok: true; res: Res } | { id: number; ok: false; error: string } | { id: number; skipped: true };

/** What a worker sends once its entry module (and all it imports) has loaded. */
export interface ThreadReady {
  ready: true;
}

interface Slot<Req, Res> {
  worker: Worker;
  tasks: Set<Task<Req, Res>>;
  /** Whether the worker has started (said ready) or answered a task: one that dies before either could not start. */
  answered: boolean;
}

const BOOT = new URL('./ts-worker-boot.mjs', import.meta.url);

// NODE_DEBUG=dixw-threads prints each thread's start (and the pool turning threads off) on stderr: how a packaged
// build shows that its worker threads run.
const debug = debuglog('dixw-threads');

/** Worker threads beside the model thread: DIXW_METRIC_THREADS if set (0 = none), else one less than the cores, 1 to 4. */
export function defaultThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.DIXW_METRIC_THREADS;
  if (v !== undefined && v !== '') {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new UserError(`DIXW_METRIC_THREADS must be a whole number from 0 to 64 (got "${v}").`, 'Unset it to use one thread less than the cores.');
    return n;
  }
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

export class WorkerPool<Req, Res> {
  private readonly slots: Array<Slot<Req, Res>> = [];
  private nextId = 0;
  /** Set when a worker thread cannot start (e.g. a packaging without the worker files): all work stays here. */
  private disabled = false;
  /** Tasks run on the calling thread and by workers, for tests and the bench. */
  readonly counts = { here: 0, worker: 0 };

  /**
   * @param entry the worker's TypeScript module, which answers tasks with serveTasks()
   * @param size worker threads (0: every task runs on the calling thread when settled)
   * @param runHere the same computation on the calling thread
   */
  constructor(private readonly entry: URL, readonly size: number, private readonly runHere: (req: Req) => Promise<Res>) {}

  /** Queues a task on the least busy worker. The request is copied to the worker (structured clone). */
  submit(req: Req): PoolTask<Res> {
    let resolve!: (r: Res) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Res>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const task: Task<Req, Res> = { id: this.nextId++, req, hereIfNoWorker: false, claim: new Int32Array(new SharedArrayBuffer(4)), promise, resolve, reject };
    // A task whose result nobody awaits (a job cancelled mid-image) must not become an unhandled rejection.
    promise.catch(() => undefined);
    this.dispatch(task);
    return task;
  }

  /**
   * One task's result, computed on a worker thread so that the calling thread stays free (e.g. the app's main process
   * answering requests meanwhile); on the calling thread only when there is no worker.
   */
  run(req: Req): Promise<Res> {
    if (this.size === 0 || this.disabled) return this.runHere(req);
    const task = this.submit(req) as Task<Req, Res>;
    task.hereIfNoWorker = true;
    if (!this.slots.some((s) => s.tasks.has(task))) this.takeHere(task);
    return task.promise;
  }

  /** Posts a task to the least busy worker; without one it waits, claimable, to be settled (or run) here. */
  private dispatch(task: Task<Req, Res>): void {
    const slot = this.pickSlot();
    if (slot) {
      slot.tasks.add(task);
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, req: task.req, claim: task.claim });
    } else if (task.hereIfNoWorker) {
      this.takeHere(task);
    }
  }

  /** Claims a task for the calling thread: false when a worker (or an earlier claim) has it. */
  private claimHere(task: Task<Req, Res>): boolean {
    if (Atomics.compareExchange(task.claim, 0, CLAIM_FREE, CLAIM_HERE) !== CLAIM_FREE) return false;
    this.counts.here++;
    return true;
  }

  /** Runs a task on the calling thread if nobody has claimed it. */
  private takeHere(task: Task<Req, Res>): void {
    if (this.claimHere(task)) this.runHere(task.req).then(task.resolve, task.reject);
  }

  /**
   * The tasks' results, in order. Each task no worker has begun runs here, on the calling thread, one after another
   * while the workers take theirs; then the rest are awaited. No core idles while there is work left.
   */
  async settle(tasks: Array<PoolTask<Res>>): Promise<Res[]> {
    for (const t of tasks as Array<Task<Req, Res>>) {
      if (!this.claimHere(t)) continue;
      try {
        t.resolve(await this.runHere(t.req));
      } catch (e) {
        t.reject(e);
      }
    }
    return Promise.all(tasks.map((t) => t.promise));
  }

  /** Stops the workers; their unfinished tasks fail unless already settled here. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    // A terminating worker does not keep the process alive: with nothing else pending, the process sometimes ended
    // before terminate() settled (within 4 of 30 close() calls in a loop); a timer holds it for the ~10 ms they take.
    const hold = setInterval(() => undefined, 1000);
    try {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    } finally {
      clearInterval(hold);
    }
  }

  private pickSlot(): Slot<Req, Res> | null {
    if (this.size === 0 || this.disabled) return null;
    const idle = this.slots.find((s) => s.tasks.size === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
  }

  private spawn(): Slot<Req, Res> {
    // A TypeScript entry (from sources) needs tsx's loader, which the boot module registers; a compiled one runs as is.
    const worker = isSourceModule(this.entry.href)
      ? new Worker(BOOT, { workerData: { entry: this.entry.href }, execArgv: [] })
      : new Worker(this.entry, { execArgv: [] });
    const slot: Slot<Req, Res> = { worker, tasks: new Set(), answered: false };
    const byId = (id: number) => [...slot.tasks].find((t) => t.id === id);
    worker.on('message', (m: TaskReply<Res> | ThreadReady) => {
      slot.answered = true;
      if ('ready' in m) return debug('thread %d started: %s', worker.threadId, this.entry.href);
      const task = byId(m.id);
      if (!task) return;
      slot.tasks.delete(task);
      if (slot.tasks.size === 0) worker.unref();
      if ('skipped' in m) return;
      this.counts.worker++;
      if (m.ok) task.resolve(m.res);
      else task.reject(new Error(m.error));
    });
    // A worker that dies fails the task it was running; those it had not begun go to another worker (or wait here).
    const lost = (e: unknown) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      // Tasks posted to this worker only: those claimed by a worker were this one's.
      const tasks = [...slot.tasks];
      slot.tasks.clear();
      const running = tasks.filter((t) => Atomics.load(t.claim, 0) === CLAIM_WORKER);
      for (const t of running) t.reject(e instanceof Error ? e : new Error(String(e)));
      if (!slot.answered && running.length === 0 && !this.disabled) {
        // Its unclaimed tasks, and all later ones, run on the calling thread: slower, same results.
        this.disabled = true;
        debug('threads off for %s: %s', this.entry.href, e instanceof Error ? e.message : String(e));
        process.emitWarning(`worker threads are off: ${e instanceof Error ? e.message : String(e)}; the work runs on the calling thread`, 'DixwWorkerPool');
      }
      for (const t of tasks) if (Atomics.load(t.claim, 0) === CLAIM_FREE) this.dispatch(t);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`worker thread exited with code ${code}`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
