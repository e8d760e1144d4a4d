// Runs the persisted queue in the main process: claims a job (lease), feeds its items in order to its worker processes
// (`workers`, one by default; several run the items of one job at once, each taking the next pending item, see
// parallel-policy.ts for the jobs whose items must stay in order), commits each result in one transaction, and
// survives everything a worker can do. The main process only moves
// messages and writes small transactions; all compute happens in the worker, so the event loop stays responsive.
//
// Crash safety: an item is "done" only in the same transaction that stores its results. A job whose runner died is
// claimed again (stale lease) and resumes at its first uncommitted item; a result that arrives for an item already
// done is ignored (idempotent commit).
import { existsSync } from 'node:fs';
import { MAX_ITEM_ATTEMPTS } from '../../shared/job-state';
import type { JobRecord, ItemRecord } from '../../shared/store-types';
import { WORKER_PROTOCOL_VERSION, type LogLevel } from '../../shared/worker-protocol';
import { commitItem } from '../store/commit-item';
import { markItemFailed, markItemRunning, nextPendingItem, recordItemCrash, resetRunningItems, returnItem } from '../store/items-repo';
import { addJobEvent } from '../store/job-events-repo';
import { finishLeasedJob, getJobControl, reassertRunning, renewLease } from '../store/jobs-repo';
import { findMapBlobs } from '../store/maps-repo';
import { JobLifecycle, type JobLifecycleOptions } from './job-lifecycle';
import { WorkerHost, type ItemOutcome } from './worker-host';
import { forkLauncher, type WorkerLauncher } from './worker-launcher';
import { parallelPolicy } from './parallel-policy';
import { parseWorkerCount } from './worker-count';

export type { SchedulerEvent } from './job-lifecycle';

export interface SchedulerOptions extends JobLifecycleOptions {
  /** Module whose default export makes the Executor (main/jobs/engine-executor.ts in the app). */
  executorPath: string;
  /** Defaults to child_process.fork; Electron passes a utilityProcess launcher. */
  launcher?: WorkerLauncher;
  /** Worker deaths on one item before the job fails. */
  maxItemAttempts?: number;
  /** How long a new worker may take to load the executor (ms). */
  readyTimeoutMs?: number;
  /** An item whose worker is silent this long is stopped as hung (default DIXW_ITEM_SILENCE_MIN minutes, else 60). */
  itemSilenceMs?: number;
  /** Worker processes that run the items of one job at once. Default: DIXW_WORKERS, else 1 (the commands and the app
   *  set it from --workers or defaultWorkerCount()). */
  workers?: number;
}

type Interrupt = 'cancelled' | 'lost-lease' | 'stopping' | 'sibling';

/** One claimed job while its lanes (one per worker) run its items. */
interface JobRun {
  job: JobRecord;
  /** Why the job's lanes stop early: failed (recorded), taken over (nothing to do), let go (release the lease). */
  ended: null | 'failed' | 'taken-over' | 'let-go';
  /** Items sent to a worker and not yet settled. */
  inFlight: number;
  /** Lanes waiting for an item to settle (a crashed item comes back as pending). */
  waiters: Set<() => void>;
}

export class Scheduler extends JobLifecycle {
  private readonly launcher: WorkerLauncher;
  private readonly maxItemAttempts: number;
  private readonly readyTimeoutMs: number;
  private readonly itemSilenceMs: number;
  private readonly workerCount: number;
  /** One slot per lane; a lane's worker is kept across items and jobs. */
  private readonly workers: (WorkerHost | null)[] = [];
  /** The interrupt of each lane's item in progress. */
  private readonly interrupts = new Map<number, (why: Interrupt) => void>();
  private lastRenewal = 0;

  constructor(private readonly options: SchedulerOptions) {
    super(options);
    if (!existsSync(options.executorPath)) throw new Error(`Scheduler: the executor module ${options.executorPath} does not exist`);
    this.launcher = options.launcher ?? forkLauncher();
    this.maxItemAttempts = options.maxItemAttempts ?? MAX_ITEM_ATTEMPTS;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    // An item reports progress per step or epoch; 60 silent minutes is far beyond any step here, yet bounds a hang.
    const silenceMin = Number(process.env.DIXW_ITEM_SILENCE_MIN);
    this.itemSilenceMs = options.itemSilenceMs ?? (Number.isFinite(silenceMin) && silenceMin > 0 ? silenceMin * 60_000 : 60 * 60_000);
    this.workerCount = Math.max(1, Math.floor(options.workers ?? parseWorkerCount(process.env.DIXW_WORKERS, 'DIXW_WORKERS') ?? 1));
  }

  /**
   * Stops claiming, abandons the item in progress (it runs again on the next start, here or in another process),
   * lets go of the job's lease (it stays `running`, to be resumed) and shuts the worker down.
   */
  async stop(): Promise<void> {
    this.interruptAll('stopping');
    await this.stopLoop();
    await Promise.all(this.workers.map((w) => w?.shutdown()));
    this.workers.fill(null);
  }

  /** How many worker processes run one job's items. */
  override get workersPerJob(): number {
    return this.workerCount;
  }

  protected async runJob(job: JobRecord): Promise<void> {
    const { store } = this;
    const jobId = job.id;
    const interrupted = resetRunningItems(store, jobId);
    const first = nextPendingItem(store, jobId);
    this.emit({ type: 'job-started', jobId, itemsDone: job.itemsDone, itemsTotal: job.itemsTotal, firstItemKey: first?.key ?? null, resumed: job.itemsDone > 0 || interrupted > 0 });
    this.lastRenewal = Date.now();
    const watcher = setInterval(() => this.watch(jobId), this.pollMs);
    const run: JobRun = { job, ended: null, inFlight: 0, waiters: new Set() };
    const policy = parallelPolicy(job.spec);
    const lanes = Math.max(1, Math.min(this.workerCount, policy.maxWorkers, job.itemsTotal - job.itemsDone));
    try {
      if (policy.firstItemAlone && lanes > 1 && first?.ordinal === 0) {
        // A setup item every other item needs: it runs (and is committed) before the others start.
        await this.runLane(run, 0, true);
      }
      await Promise.all(Array.from({ length: lanes }, (_, lane) => this.runLane(run, lane, false)));
      if (run.ended === 'failed' || run.ended === 'taken-over') return;
      if (run.ended === 'let-go' || this.stopping) return this.letGo(jobId);
      const control = getJobControl(store, jobId);
      if (control && control.runner === this.runnerId && control.state !== 'running' && control.state !== 'queued') return this.letGo(jobId);
      return this.finish(jobId);
    } finally {
      clearInterval(watcher);
    }
  }

  /** One worker's loop over the job's pending items; returns when there is nothing left for it or the job stops. */
  private async runLane(run: JobRun, lane: number, onlyOne: boolean): Promise<void> {
    const { store } = this;
    const jobId = run.job.id;
    for (;;) {
      if (run.ended) return;
      if (this.stopping) {
        run.ended = 'let-go';
        return;
      }
      const control = getJobControl(store, jobId);
      if (!control || control.runner !== this.runnerId) {
        this.takenOver(jobId);
        this.endRun(run, 'taken-over');
        return;
      }
      if (control.state === 'queued') reassertRunning(store, jobId, this.runnerId); // resumed before we noticed the pause
      else if (control.state !== 'running') {
        // Paused or cancelled: this lane stops; the others finish their item (pause) or are interrupted (cancel).
        run.ended ??= 'let-go';
        return;
      }

      const next = nextPendingItem(store, jobId);
      if (!next) {
        if (run.inFlight === 0 || onlyOne) return;
        // Another lane's item may still come back (a crashed worker): wait for it to settle.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            run.waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, this.pollMs);
          run.waiters.add(done);
        });
        continue;
      }
      const item = markItemRunning(store, next.id);
      run.inFlight++;
      let goOn: boolean;
      try {
        this.emit({ type: 'item-started', jobId, itemKey: item.key, ordinal: item.ordinal, attempt: item.attempts });
        const outcome = await this.runOnWorker(run.job, item, lane);
        goOn = await this.settle(run, item, outcome, lane);
      } finally {
        run.inFlight--;
        for (const w of [...run.waiters]) w();
      }
      if (!goOn || onlyOne) return;
    }
  }

  /** The job stops here for every lane: the others abandon their items (returned to pending, workers killed). */
  private endRun(run: JobRun, why: 'failed' | 'taken-over'): void {
    if (run.ended === 'failed' || run.ended === 'taken-over') return;
    run.ended = why;
    this.interruptAll('sibling');
    for (const w of [...run.waiters]) w();
  }

  /** Applies an item's outcome; false when the job stops here (for this lane). */
  private async settle(run: JobRun, item: ItemRecord, outcome: ItemOutcome | { type: 'interrupted'; why: Interrupt }, lane: number): Promise<boolean> {
    const { store } = this;
    const { job } = run;
    const jobId = job.id;
    switch (outcome.type) {
      case 'done': {
        let committed;
        try {
          committed = commitItem(store, { jobId, itemId: item.id, result: outcome.message.result, startedAt: outcome.message.startedAt, finishedAt: outcome.message.finishedAt });
        } catch (err) {
          this.fail(run, item, `item ${item.key} could not be stored: ${(err as Error).message}`);
          return false;
        }
        this.lastRenewal = Date.now();
        renewLease(store, jobId, this.runnerId);
        this.emit({
          type: 'item-committed',
          jobId,
          itemKey: item.key,
          ordinal: item.ordinal,
          itemsDone: committed.itemsDone,
          itemsTotal: job.itemsTotal,
          mapsStored: committed.mapsStored,
          mapsReused: committed.mapsReused,
          durationMs: Math.max(0, Date.parse(outcome.message.finishedAt) - Date.parse(outcome.message.startedAt)),
        });
        return true;
      }
      case 'failed':
        // A job that cannot start is not the fault of its first item: the reason alone is clearer.
        this.fail(run, item, outcome.stage === 'prepare' ? `the job could not start: ${outcome.message}` : `item ${item.key} failed: ${outcome.message}`);
        return false;
      case 'crashed': {
        this.workers[lane] = null;
        const crashes = recordItemCrash(store, item.id, outcome.cause);
        if (run.ended) return false; // killed because a sibling ended the job: not the item's fault, nothing to add
        const note = `item ${item.key}, attempt ${crashes} of ${this.maxItemAttempts}: ${outcome.cause}`;
        addJobEvent(store, jobId, 'error', note);
        this.emit({ type: 'worker-crashed', jobId, itemKey: item.key, crashes, cause: outcome.cause });
        if (crashes >= this.maxItemAttempts) {
          this.fail(run, item, `the worker process died ${crashes} times while running item ${item.key}; last cause: ${outcome.cause}`);
          return false;
        }
        await this.sleep(Math.min(2000, 100 * crashes)); // a short pause before restarting a crashing worker
        return true;
      }
      case 'interrupted':
        returnItem(store, item.id);
        if (outcome.why === 'lost-lease') {
          this.emit({ type: 'log', jobId, level: 'warn', message: `job ${jobId} was taken over by another process; item ${item.key} abandoned here` });
          this.endRun(run, 'taken-over');
          return false;
        }
        if (outcome.why !== 'sibling') run.ended ??= 'let-go';
        return false;
    }
  }

  private async runOnWorker(job: JobRecord, item: ItemRecord, lane: number): Promise<ItemOutcome | { type: 'interrupted'; why: Interrupt }> {
    let worker = this.workers[lane];
    if (!worker || !worker.isAlive) {
      worker = new WorkerHost({
        launcher: this.launcher,
        executorPath: this.options.executorPath,
        readyTimeoutMs: this.readyTimeoutMs,
        itemSilenceMs: this.itemSilenceMs,
        findMapBlobs: (keys) => findMapBlobs(this.store, keys),
        onLog: (jobId, level, message) => this.onWorkerLog(jobId, level, message),
        onProgress: (jobId, itemKey, fraction, note) => this.emit({ type: 'item-progress', jobId, itemKey, fraction, ...(note === undefined ? {} : { note }) }),
      });
      this.workers[lane] = worker;
      this.emit({ type: 'worker-started', pid: worker.pid });
    }
    const interrupted = new Promise<{ type: 'interrupted'; why: Interrupt }>((resolve) => {
      this.interrupts.set(lane, (why) => resolve({ type: 'interrupted', why }));
    });
    if (this.stopping) this.interrupts.get(lane)?.('stopping');
    const outcome = await Promise.race([
      worker.runItem({ v: WORKER_PROTOCOL_VERSION, type: 'run-item', jobId: job.id, spec: job.spec, inputs: job.inputs, item: { key: item.key, ordinal: item.ordinal, payload: item.payload } }),
      interrupted,
    ]);
    this.interrupts.delete(lane);
    if (outcome.type === 'interrupted') {
      // The item's computation is abandoned with its process; a fresh worker starts for the next item.
      worker.kill();
      if (this.workers[lane] === worker) this.workers[lane] = null;
    }
    return outcome;
  }

  private interruptAll(why: Interrupt): void {
    for (const interrupt of [...this.interrupts.values()]) interrupt(why);
  }

  /** Runs every pollMs while a job is active: renews the lease, and notices a cancel or a takeover at once. */
  private watch(jobId: number): void {
    try {
      if (Date.now() - this.lastRenewal > this.leaseMs / 4) {
        this.lastRenewal = Date.now();
        if (!renewLease(this.store, jobId, this.runnerId)) {
          this.interruptAll('lost-lease');
          return;
        }
      }
      const control = getJobControl(this.store, jobId);
      if (!control || control.state === 'cancelled') this.interruptAll('cancelled');
      else if (control.runner !== this.runnerId) this.interruptAll('lost-lease');
    } catch (err) {
      this.emit({ type: 'error', message: `checking job ${jobId}: ${(err as Error).message}` });
    }
  }

  private fail(run: JobRun, item: ItemRecord, error: string): void {
    const jobId = run.job.id;
    if (run.ended === 'failed' || run.ended === 'taken-over') {
      // Another lane ended the job first; this item's own failure is still kept on the item.
      try {
        markItemFailed(this.store, item.id, error);
      } catch {
        // The job's error is recorded already.
      }
      return;
    }
    this.endRun(run, 'failed');
    try {
      // The states first, in place (no new pages): on a nearly full disk the failure is still recorded.
      const job = this.store.transaction(() => {
        markItemFailed(this.store, item.id, error);
        return finishLeasedJob(this.store, jobId, this.runnerId, 'failed', error);
      });
      try {
        addJobEvent(this.store, jobId, 'error', error);
      } catch {
        // The log line is a copy of the job's error; losing it loses nothing.
      }
      this.emit({ type: 'job-stopped', jobId, state: job.state, error });
    } catch (err) {
      // e.g. a full disk: the job cannot even be marked failed. The loop backs off and tries again later.
      throw new Error(`job ${jobId} failed (${error}) and that could not be recorded: ${(err as Error).message}`, { cause: err });
    }
  }

  private onWorkerLog(jobId: number | null, level: LogLevel, message: string): void {
    this.emit({ type: 'log', jobId, level, message });
    if (jobId !== null && (level === 'warn' || level === 'error') && !message.startsWith('worker: ')) {
      try {
        addJobEvent(this.store, jobId, level, message);
      } catch {
        // Logging must never fail a job.
      }
    }
  }
}
