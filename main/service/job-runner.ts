// Runs queued jobs for the service: the scheduler (main/jobs) with a real worker process, its events passed on as
// service events, and the one thing that happens after a job: a finished train job's model is registered.
import { basename } from 'node:path';
import { TrainItemOutputSchema } from '../../shared/job-outputs';
import type { ServiceEvent } from '../../shared/service-api';
import type { JobRecord } from '../../shared/store-types';
import type { QueueBackend } from '../../shared/fleet-protocol';
import { FleetCoordinator } from '../jobs/fleet/coordinator';
import { Scheduler, type SchedulerEvent } from '../jobs/scheduler';
import type { WorkerLauncher } from '../jobs/worker-launcher';
import { listItems } from '../store/items-repo';
import { addJobEvent } from '../store/job-events-repo';
import { getJob, setJobModel } from '../store/jobs-repo';
import type { Store } from '../store/store';
import type { ModelsApi } from './models';
import { ItemNames } from './item-names';

export interface JobRunnerOptions {
  executorPath: string;
  launcher?: WorkerLauncher;
  /** Run only these jobs (a foreground command); default: the whole queue. */
  onlyJobIds?: readonly number[];
  /** How often the queue is looked at (ms). */
  pollMs?: number;
  /** Worker processes per job (default: the scheduler's). */
  workers?: number;
  /** `redis`: the items go to a fleet (main/jobs/fleet/coordinator.ts) instead of local worker processes. */
  queue?: QueueBackend;
}

export class JobRunner {
  private readonly scheduler: Scheduler | FleetCoordinator;
  private stopped: Promise<void> | null = null;
  private readonly names: ItemNames;

  constructor(
    private readonly store: Store,
    private readonly models: ModelsApi,
    private readonly emit: (event: ServiceEvent) => void,
    options: JobRunnerOptions,
  ) {
    this.names = new ItemNames(store);
    this.scheduler = options.queue?.kind === 'redis'
      ? new FleetCoordinator({ store, storePath: store.path, queue: options.queue, onlyJobIds: options.onlyJobIds, pollMs: options.pollMs })
      : new Scheduler({ store, executorPath: options.executorPath, launcher: options.launcher, onlyJobIds: options.onlyJobIds, pollMs: options.pollMs,
        workers: options.workers });
    this.scheduler.on((e) => this.onSchedulerEvent(e));
    this.scheduler.start();
  }

  /** Resolves once the job is done, failed, cancelled or paused and no longer held here. */
  waitForJob(jobId: number): Promise<JobRecord> {
    return this.scheduler.waitForJob(jobId);
  }

  /** Resolves the next time there is nothing to run. */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  /** Look at the queue now (a job was just queued or resumed). */
  wake(): void {
    this.scheduler.wake();
  }

  /** Stops taking jobs; the item in progress is abandoned and its job stays running, to be resumed by any runner. */
  stop(): Promise<void> {
    this.stopped ??= this.scheduler.stop();
    return this.stopped;
  }

  private onSchedulerEvent(e: SchedulerEvent): void {
    switch (e.type) {
      case 'job-started':
        this.note(e.jobId, e.resumed ? `resumed at item ${e.itemsDone + 1} of ${e.itemsTotal}` : `started: ${e.itemsTotal} item(s)`);
        return this.emit({ type: 'job-started', jobId: e.jobId, itemsDone: e.itemsDone, itemsTotal: e.itemsTotal, resumed: e.resumed });
      case 'item-committed':
        return this.emit({ type: 'item-committed', jobId: e.jobId, itemKey: e.itemKey, itemName: this.names.of(e.jobId, e.itemKey), itemsDone: e.itemsDone, itemsTotal: e.itemsTotal,
          mapsStored: e.mapsStored, mapsReused: e.mapsReused, durationMs: e.durationMs });
      case 'job-stopped':
        // A failure is logged by the scheduler with its reason; 'running' is a runner letting go (the job goes on elsewhere).
        if (e.state === 'done' || e.state === 'paused' || e.state === 'cancelled') this.noteStop(e.jobId, e.state);
        if (e.state === 'done') this.afterDone(e.jobId);
        return this.emit({ type: 'job-stopped', jobId: e.jobId, state: e.state, error: e.error });
      case 'item-progress':
        return this.emit({ ...e, itemName: this.names.of(e.jobId, e.itemKey) });
      case 'worker-crashed':
      case 'log':
      case 'error':
      case 'idle':
        return this.emit(e);
      case 'item-started':
      case 'worker-started':
        return;
    }
  }

  /** The job's log (the window's job panel, "dixw jobs show") says when it started and stopped, for every kind. */
  private note(jobId: number, message: string): void {
    try {
      addJobEvent(this.store, jobId, 'info', message);
    } catch {
      // Logging must never stop a job.
    }
  }

  private noteStop(jobId: number, state: 'done' | 'paused' | 'cancelled'): void {
    const job = getJob(this.store, jobId);
    const seconds = job?.startedAt && job.finishedAt ? ` in ${((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000).toFixed(1)} s` : '';
    this.note(jobId, `${state}: ${job?.itemsDone ?? '?'} of ${job?.itemsTotal ?? '?'} item(s)${state === 'done' ? seconds : ''}`);
  }

  /** A train job's model folder becomes a registered model, under the hash and summary the worker computed. */
  private afterDone(jobId: number): void {
    try {
      const job = getJob(this.store, jobId);
      if (job?.spec.kind !== 'train') return;
      const output = TrainItemOutputSchema.safeParse(listItems(this.store, jobId)[0]?.output);
      if (!output.success) return;
      const { model } = this.models.record(output.data.out, output.data.modelHash, output.data.model, job.spec.name ?? basename(output.data.out));
      setJobModel(this.store, jobId, model.id);
      addJobEvent(this.store, jobId, 'info', `registered the trained model as model ${model.id} (${output.data.out})`);
      this.emit({ type: 'model-registered', jobId, modelId: model.id, path: output.data.out });
    } catch (err) {
      // A 'log' of the job, not an 'error': the job itself is done; 'error' is for trouble that stops the queue.
      this.emit({ type: 'log', jobId, level: 'error', message: `the trained model could not be registered (${(err as Error).message}); run "dixw model add" on its folder` });
    }
  }
}
