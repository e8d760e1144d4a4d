// What every runner of the persisted queue shares, whether its items go to local worker processes (scheduler.ts) or
// to a fleet through Redis (fleet/coordinator.ts): the claim loop under a lease, the events and their subscribers,
// waiting for a job or for an empty queue, and how a claimed job ends (finished, or let go with its state kept).
// A subclass says only how one claimed job runs (runJob) and what start and stop add around the loop.
import { arch, platform } from 'node:process';
import type { JobState } from '../../shared/job-state';
import type { JobProvenance, JobRecord } from '../../shared/store-types';
import type { LogLevel } from '../../shared/worker-protocol';
import { countItems } from '../store/items-repo';
import { claimNextJob, finishLeasedJob, getJob, getJobControl, releaseLease } from '../store/jobs-repo';
import type { Store } from '../store/store';
import { APP_VERSION } from './app-version';
import { newRunnerId, staleRunnerTest } from './runner-lease';

export interface JobLifecycleOptions {
  store: Store;
  /** How often to look for new jobs and check the running job's state (ms). */
  pollMs?: number;
  /** A lease not renewed for this long is taken over (ms); a dead runner on this host is taken over at once. */
  leaseMs?: number;
  runnerId?: string;
  /** Claim only these jobs (a foreground CLI command); default: the whole queue. */
  onlyJobIds?: readonly number[];
  appVersion?: string;
}

export type SchedulerEvent =
  | { type: 'job-started'; jobId: number; itemsDone: number; itemsTotal: number; firstItemKey: string | null; resumed: boolean }
  | { type: 'item-started'; jobId: number; itemKey: string; ordinal: number; attempt: number }
  | { type: 'item-progress'; jobId: number; itemKey: string; fraction: number; note?: string }
  | {
      type: 'item-committed';
      jobId: number;
      itemKey: string;
      ordinal: number;
      itemsDone: number;
      itemsTotal: number;
      mapsStored: number;
      mapsReused: number;
      durationMs: number;
    }
  | { type: 'worker-started'; pid: number | undefined }
  | { type: 'worker-crashed'; jobId: number; itemKey: string; crashes: number; cause: string }
  /** The runner let go of the job: finished (done, failed), stopped by the user (paused, cancelled), or on stop() (running). */
  | { type: 'job-stopped'; jobId: number; state: JobState; error: string | null }
  | { type: 'log'; jobId: number | null; level: LogLevel; message: string }
  /** Trouble outside any job (the store refused a write, ...). */
  | { type: 'error'; message: string }
  /** Nothing left to claim. */
  | { type: 'idle' };

export abstract class JobLifecycle {
  readonly runnerId: string;
  protected readonly store: Store;
  protected readonly pollMs: number;
  protected readonly leaseMs: number;
  protected readonly provenance: JobProvenance;
  /** Set by stop(): claim nothing more, let go of the job in hand. */
  protected stopping = false;
  private readonly listeners = new Set<(event: SchedulerEvent) => void>();
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly lifecycle: JobLifecycleOptions) {
    this.store = lifecycle.store;
    this.pollMs = lifecycle.pollMs ?? 500;
    this.leaseMs = lifecycle.leaseMs ?? 60_000;
    this.runnerId = lifecycle.runnerId ?? newRunnerId();
    this.provenance = { appVersion: lifecycle.appVersion ?? APP_VERSION, node: process.version, platform, arch, backend: null };
  }

  /** How many worker processes run one job's items (0: the fleet decides). */
  abstract get workersPerJob(): number;

  /** Runs one claimed job until it is finished, failed, stopped by the user, taken over or let go. */
  protected abstract runJob(job: JobRecord): Promise<void>;

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (event: SchedulerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.loopDone || this.stopping) return;
    this.loopDone = this.main();
  }

  /** Look for work (or react to a pause/cancel) now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Resolves the next time the runner finds nothing to claim. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.on((e) => {
        if (e.type === 'idle') {
          off();
          resolve();
        }
      });
      this.wake();
    });
  }

  /**
   * Resolves with the job once it is no longer queued or running (done, failed, cancelled, paused) and this runner
   * has let go of it (a paused job's item in progress is committed first).
   */
  async waitForJob(jobId: number): Promise<JobRecord> {
    for (;;) {
      const job = getJob(this.store, jobId);
      if (!job) throw new Error(`job ${jobId} was removed`);
      if (job.state !== 'queued' && job.state !== 'running' && job.runner !== this.runnerId) return job;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollMs);
        const off = this.on((e) => {
          if (e.type === 'job-stopped' && e.jobId === jobId) done();
        });
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  /** What start() runs: the claim loop (a subclass may connect first). */
  protected main(): Promise<void> {
    return this.loop();
  }

  /** Stops claiming and waits until the loop has let go of its job. */
  protected async stopLoop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopDone;
  }

  protected emit(event: SchedulerEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not stop the queue.
      }
    }
  }

  /** A pause that wake() and stop() cut short. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** How long to wait after the `troubles`-th failure in a row of the store or of a job (0-based). */
  protected backOffMs(troubles: number): number {
    return Math.min(60_000, this.pollMs * 4 * 2 ** Math.min(troubles, 10));
  }

  protected async loop(): Promise<void> {
    const isStale = staleRunnerTest(this.leaseMs);
    let troubles = 0; // consecutive failures: back off
    while (!this.stopping) {
      let job: JobRecord | undefined;
      try {
        job = claimNextJob(this.store, this.runnerId, isStale, this.provenance, this.lifecycle.onlyJobIds);
      } catch (err) {
        this.emit({ type: 'error', message: `cannot read the queue: ${(err as Error).message}` });
        await this.sleep(this.backOffMs(troubles++));
        continue;
      }
      if (!job) {
        this.emit({ type: 'idle' });
        await this.sleep(this.pollMs);
        continue;
      }
      try {
        await this.runJob(job);
        troubles = 0;
      } catch (err) {
        this.emit({ type: 'error', message: `job ${job.id}: ${(err as Error).message}` });
        try {
          releaseLease(this.store, job.id, this.runnerId);
        } catch {
          // The store is failing; the lease expires by itself.
        }
        await this.sleep(this.backOffMs(troubles++));
      }
    }
  }

  /** The job's items are all settled: done, or failed if any item failed. */
  protected finish(jobId: number): void {
    const counts = countItems(this.store, jobId);
    const failed = counts.failed > 0;
    const job = finishLeasedJob(this.store, jobId, this.runnerId, failed ? 'failed' : 'done', failed ? `${counts.failed} item(s) failed` : null);
    this.emit({ type: 'job-stopped', jobId, state: job.state, error: job.error });
  }

  /** Lets go of the lease without changing the state (paused, cancelled, or running on stop). */
  protected letGo(jobId: number): void {
    releaseLease(this.store, jobId, this.runnerId);
    const control = getJobControl(this.store, jobId);
    this.emit({ type: 'job-stopped', jobId, state: control?.state ?? 'cancelled', error: null });
  }

  /** Says that another runner holds the job now (or that it was removed); nothing else to do here. */
  protected takenOver(jobId: number): void {
    const control = getJobControl(this.store, jobId);
    this.emit({ type: 'log', jobId, level: 'warn', message: control ? `job ${jobId} was taken over by ${control.runner}` : `job ${jobId} was removed` });
  }
}
