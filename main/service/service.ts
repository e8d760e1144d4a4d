// The one API the CLI, the web server and the Electron app call: datasets, models, jobs and results over one store,
// plus an event stream while jobs run. Transport-free: async functions and a listener, no HTTP, no IPC, no electron.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { entryUrl } from '../../shared/entry-url';
import { parseQueueBackend, type QueueBackend } from '../../shared/fleet-protocol';
import type { ServiceEvent } from '../../shared/service-api';
import type { WorkerLauncher } from '../jobs/worker-launcher';
import { openStore, type Store } from '../store/store';
import { DatasetsApi } from './datasets';
import { JobRunner } from './job-runner';
import { JobsApi } from './jobs';
import { ModelsApi } from './models';
import { ResultsApi } from './results';
import { ServiceError, toServiceError } from './service-error';
import { defaultWorkerCount, parseWorkerCount } from '../jobs/worker-count';

/** The worker's executor: the real engine (dist/main/engine-executor.js when compiled). */
export const ENGINE_EXECUTOR = fileURLToPath(entryUrl(import.meta.url, '../jobs/engine-executor.ts'));

export interface ServiceOptions {
  /** --db PATH; else $DIXW_HOME/workbench.db; else the platform's app-data folder. */
  dbPath?: string;
  env?: NodeJS.ProcessEnv;
  /** The module the worker runs (default: the engine). */
  executorPath?: string;
  /** How worker processes are started (default: child_process.fork; Electron passes utilityProcess). */
  launcher?: WorkerLauncher;
  /**
   * Worker processes per job for the jobs this service runs: a positive integer, `auto` (every core on CPU backends,
   * one per GPU: main/jobs/worker-count.ts), or a command's --workers text as typed. Absent: the scheduler's default.
   */
  workers?: number | string;
  /**
   * The queue backend: `local` (the SQLite queue and local worker processes) or `redis://HOST:PORT` (a fleet of
   * `dixw worker --queue` processes through BullMQ; this service coordinates and alone commits). Default: $DIXW_QUEUE, else local.
   */
  queue?: string;
}

export class WorkbenchService {
  readonly datasets: DatasetsApi;
  readonly models: ModelsApi;
  readonly jobs: JobsApi;
  readonly results: ResultsApi;
  private readonly events = new EventEmitter();
  private readonly runners = new Set<JobRunner>();
  /** Worker processes per job, resolved from the `workers` option (undefined: the scheduler's default). */
  readonly workers: number | undefined;
  /** Where this service's runners send items (the `queue` option). */
  readonly queue: QueueBackend;

  constructor(
    /** Exposed for tests and tools that need the database itself (integrity checks, benchmarks). */
    readonly store: Store,
    private readonly options: ServiceOptions,
  ) {
    this.datasets = new DatasetsApi(store);
    this.models = new ModelsApi(store);
    this.results = new ResultsApi(store);
    this.jobs = new JobsApi(store, this.datasets, this.models, this.results, (e) => this.emit(e));
    this.workers = resolveWorkers(options.workers);
    this.queue = resolveQueue(options);
  }

  get storePath(): string {
    return this.store.path;
  }

  /** Subscribes to service events; returns the unsubscribe function. */
  on(listener: (event: ServiceEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** Starts running queued jobs in a worker process (all of them, or only `onlyJobIds`). */
  runJobs(options: { onlyJobIds?: readonly number[]; pollMs?: number } = {}): JobRunner {
    const runner = new JobRunner(this.store, this.models, (e) => this.emit(e), {
      executorPath: this.options.executorPath ?? ENGINE_EXECUTOR,
      launcher: this.options.launcher,
      workers: this.workers,
      queue: this.queue,
      ...options,
    });
    this.runners.add(runner);
    return runner;
  }

  /** Stops every runner (their jobs stay resumable) and closes the database. */
  async close(): Promise<void> {
    await Promise.all([...this.runners].map((r) => r.stop()));
    this.runners.clear();
    this.store.close();
  }

  private emit(event: ServiceEvent): void {
    if (event.type === 'job-queued') for (const r of this.runners) r.wake();
    for (const listener of this.events.listeners('event') as ((e: ServiceEvent) => void)[]) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not stop the queue.
      }
    }
  }
}

/** The `workers` option as a count; a bad value is refused before the store is opened. */
function resolveWorkers(workers: number | string | undefined): number | undefined {
  if (workers === undefined) return undefined;
  try {
    return parseWorkerCount(String(workers)) ?? defaultWorkerCount();
  } catch (err) {
    throw new ServiceError('invalid-input', `${(err as Error).message}.`, 'Give e.g. --workers 2, or auto for every core.');
  }
}

/** The `queue` option (else $DIXW_QUEUE) as a backend; a bad address is refused before the store is opened. */
function resolveQueue(options: ServiceOptions): QueueBackend {
  try {
    return parseQueueBackend(options.queue ?? (options.env ?? process.env).DIXW_QUEUE);
  } catch (err) {
    throw new ServiceError('invalid-input', `${(err as Error).message}.`, 'Give --queue local, or --queue redis://HOST:PORT where redis-server runs.');
  }
}

/** Opens the store (creating and migrating it if needed) and the service over it. Throws a ServiceError. */
export function openService(options: ServiceOptions = {}): WorkbenchService {
  resolveWorkers(options.workers);
  resolveQueue(options);
  let store: Store;
  try {
    store = openStore({ path: options.dbPath, env: options.env });
  } catch (err) {
    throw toServiceError(err);
  }
  return new WorkbenchService(store, options);
}
