// A fleet worker (`dixw worker --queue redis://...`): takes items from the shared items queue, runs each on one of its
// own engine worker processes (the same WorkerHost and executor module the local scheduler uses), and puts the result
// on the coordinator's results queue. It never touches SQLite.
//
// At-least-once: BullMQ locks an item while it runs here and renews the lock; a worker that dies stops renewing, and
// after the visibility timeout another worker's stalled check puts the item back in the queue. The result is added
// before the item is marked complete, so a death in between only costs a second run (the coordinator stores it once).
//
// Models and datasets are read at the coordinator's paths when the files there have the registered content hashes;
// otherwise the engine process fetches them from the coordinator's file server (advertised in Redis) into `cacheDir`.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BlobServiceAdSchema, type BlobSource } from '../../../shared/blob-protocol';
import { FLEET_PROTOCOL_VERSION as v, FleetItemSchema, type FleetResult, type FleetWorkerRef, type FleetWorkerStatus } from '../../../shared/fleet-protocol';
import { WORKER_PROTOCOL_VERSION } from '../../../shared/worker-protocol';
import { hashCacheDir } from '../hash-cache';
import { newRunnerId } from '../runner-lease';
import { WorkerHost, type ItemOutcome } from '../worker-host';
import { forkLauncher, type WorkerLauncher } from '../worker-launcher';
import { blobServiceKey, cancelFlagKey, FLEET_PREFIX, ITEMS_QUEUE, resultsQueueName, WORKERS_KEY } from './fleet-names';
import { openRedis, reachRedis, type RedisQueue } from './redis-connection';
import { toWire } from './wire-result';

export interface FleetWorkerOptions {
  queue: RedisQueue;
  /** Module whose default export makes the Executor (main/jobs/engine-executor.ts for the engine). */
  executorPath: string;
  /** Engine worker processes here, each running one item at a time. */
  lanes: number;
  launcher?: WorkerLauncher;
  /** How long an item of a silent (dead) worker stays invisible before another worker takes it (ms). */
  visibilityMs?: number;
  readyTimeoutMs?: number;
  itemSilenceMs?: number;
  id?: string;
  /** Where models and dataset files fetched from a coordinator are kept, by content hash (default: DIXW_CACHE_DIR/fleet, else ~/.cache/dix-workbench/fleet). */
  cacheDir?: string;
}

export type FleetWorkerEvent =
  | { type: 'item-started'; jobId: number; itemKey: string; coordinator: string }
  | { type: 'item-finished'; jobId: number; itemKey: string; outcome: 'done' | 'failed' | 'crashed' | 'cancelled'; note?: string }
  | { type: 'log'; message: string };

/** How often the worker's record in the registry is refreshed (ms); `fleet status` calls a worker gone after 3 misses. */
export const HEARTBEAT_MS = 2000;
const RATE_WINDOW_MS = 60_000;
/** How long stop() tries to leave Redis tidy (close the queues, leave the registry). */
const STOP_TIDY_MS = 3000;

export class FleetWorker {
  readonly id: string;
  private readonly redis: Redis;
  private readonly lanes: (WorkerHost | null)[];
  private readonly freeLanes: number[];
  /** The BullMQ job each lane runs, for its progress. */
  private readonly current: (Job | null)[];
  private readonly results = new Map<string, Queue>();
  private readonly listeners = new Set<(e: FleetWorkerEvent) => void>();
  private readonly launcher: WorkerLauncher;
  private readonly startedAt = new Date().toISOString();
  private readonly finishedTimes: number[] = [];
  private worker: Worker | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private backend: string | null = null;
  private itemsDone = 0;
  private busy = 0;
  private readonly cacheDir: string;
  /** The last advert that could not be read, said once. */
  private badAd = '';

  constructor(private readonly options: FleetWorkerOptions) {
    this.id = options.id ?? newRunnerId();
    this.redis = openRedis(options.queue);
    this.launcher = options.launcher ?? forkLauncher();
    const lanes = Math.max(1, Math.floor(options.lanes));
    this.lanes = Array.from({ length: lanes }, () => null);
    this.freeLanes = Array.from({ length: lanes }, (_, i) => i);
    this.current = Array.from({ length: lanes }, () => null);
    this.cacheDir = options.cacheDir ?? join(hashCacheDir(), 'fleet');
  }

  on(listener: (e: FleetWorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects (a clear error if Redis does not answer) and starts taking items. */
  async start(): Promise<void> {
    await reachRedis(this.options.queue);
    const visibilityMs = this.options.visibilityMs ?? 30_000;
    this.worker = new Worker(ITEMS_QUEUE, (job, token) => this.process(job, token), {
      connection: this.redis,
      prefix: FLEET_PREFIX,
      // BullMQ stores the name on each item it hands out (processedBy): the window's panel shows who runs what.
      name: this.id,
      concurrency: this.lanes.length,
      lockDuration: visibilityMs,
      stalledInterval: Math.max(500, Math.floor(visibilityMs / 2)),
      // A stalled item goes back to the queue; an item that stalls this often (it kills every worker) fails the job.
      maxStalledCount: 3,
      autorun: true,
    });
    // While Redis is away every connection attempt fails alike: say it once, not every 50 ms.
    let lastError = '';
    this.worker.on('error', (err) => {
      if (err.message !== lastError) this.emit({ type: 'log', message: `queue: ${err.message}` });
      lastError = err.message;
    });
    this.worker.on('ready', () => (lastError = ''));
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
  }

  /** Stops taking items, abandons those in progress (they return to the queue after the visibility timeout) and exits the engine processes. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const host of this.lanes) host?.kill();
    const tidy = async () => {
      await this.worker?.close(true).catch(() => undefined);
      await Promise.all([...this.results.values()].map((q) => q.close().catch(() => undefined)));
      await this.redis.hdel(WORKERS_KEY, this.id).catch(() => undefined);
    };
    // With Redis away these would wait for it forever; the registry forgets a silent worker by itself.
    const tidied = await Promise.race([tidy().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), STOP_TIDY_MS))]);
    // BullMQ's own connections (the blocking one) would go on reconnecting: cut them.
    if (!tidied) await Promise.race([this.worker?.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, STOP_TIDY_MS))]);
    this.redis.disconnect();
  }

  status(): FleetWorkerStatus {
    const now = Date.now();
    while (this.finishedTimes.length > 0 && now - this.finishedTimes[0]! > RATE_WINDOW_MS) this.finishedTimes.shift();
    const span = Math.min(RATE_WINDOW_MS, now - Date.parse(this.startedAt));
    return {
      id: this.id, host: hostname(), pid: process.pid, backend: this.backend, lanes: this.lanes.length, startedAt: this.startedAt,
      lastSeenAt: new Date(now).toISOString(), itemsDone: this.itemsDone, busy: this.busy,
      itemsPerSecond: span > 0 ? this.finishedTimes.length / (span / 1000) : 0,
    };
  }

  private emit(e: FleetWorkerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not stop the worker.
      }
    }
  }

  private async beat(): Promise<void> {
    try {
      await this.redis.hset(WORKERS_KEY, this.id, JSON.stringify(this.status()));
    } catch {
      // Redis is away; the next beat says we are alive.
    }
  }

  private ref(): FleetWorkerRef {
    return { id: this.id, host: hostname(), backend: this.backend };
  }

  private resultsQueue(coordinator: string): Queue {
    let q = this.results.get(coordinator);
    if (!q) {
      q = new Queue(resultsQueueName(coordinator), { connection: this.redis, prefix: FLEET_PREFIX });
      q.on('error', () => undefined);
      this.results.set(coordinator, q);
    }
    return q;
  }

  private async process(job: Job, _token: string | undefined): Promise<string> {
    const parsed = FleetItemSchema.safeParse(job.data);
    if (!parsed.success) {
      // Not ours to retry: a coordinator of another version, or garbage in the queue.
      throw new UnrecoverableError(`fleet worker ${this.id} cannot read item ${job.id}: ${parsed.error.issues[0]?.message ?? 'invalid'} (is every machine on the same DIX Workbench version?)`);
    }
    const { coordinator, jobId, spec, inputs, item } = parsed.data;
    const flag = cancelFlagKey(coordinator, jobId);
    if (await this.redis.exists(flag)) return 'cancelled';
    const lane = this.freeLanes.shift();
    if (lane === undefined) throw new Error('fleet worker: more items than lanes (a bug)');
    this.busy++;
    this.current[lane] = job;
    this.emit({ type: 'item-started', jobId, itemKey: item.key, coordinator });
    let cancelled = false;
    const watch = setInterval(() => {
      void this.redis.exists(flag).then((n) => {
        if (n > 0 && !cancelled) {
          cancelled = true;
          this.lanes[lane]?.kill();
        }
      }, () => undefined);
    }, 500);
    try {
      const host = this.host(lane);
      const blobs = await this.blobSource(coordinator);
      const outcome: ItemOutcome = await host.runItem({ v: WORKER_PROTOCOL_VERSION, type: 'run-item', jobId, spec, inputs, item, ...(blobs ? { blobs } : {}) });
      if (cancelled) {
        this.emit({ type: 'item-finished', jobId, itemKey: item.key, outcome: 'cancelled' });
        return 'cancelled';
      }
      if (outcome.type === 'crashed') {
        this.lanes[lane] = null;
        this.emit({ type: 'item-finished', jobId, itemKey: item.key, outcome: 'crashed', note: outcome.cause });
        // BullMQ retries it (on any worker) until the item's attempts are used up; then the coordinator fails the job.
        throw new Error(`on ${hostname()} (fleet worker ${this.id}): ${outcome.cause}`);
      }
      let result: FleetResult;
      if (outcome.type === 'done') {
        const m = outcome.message;
        if (m.result.backend) this.backend = m.result.backend.name;
        result = { v, type: 'done', jobId, itemKey: item.key, worker: this.ref(), startedAt: m.startedAt, finishedAt: m.finishedAt, result: toWire(m.result) };
      } else {
        result = { v, type: 'failed', jobId, itemKey: item.key, worker: this.ref(), message: `${outcome.message} (on ${hostname()})`, ...(outcome.stage ? { stage: outcome.stage } : {}) };
      }
      if (outcome.type === 'done') {
        this.itemsDone++;
        this.finishedTimes.push(Date.now());
        // The registry shows the backend and count before the coordinator can commit this item.
        await this.beat();
      }
      // A commit that fails (a locked or full database) is tried again; the coordinator also retries failed results when it starts.
      await this.resultsQueue(coordinator).add(result.type, result, { removeOnComplete: true, removeOnFail: false, attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
      this.emit({ type: 'item-finished', jobId, itemKey: item.key, outcome: outcome.type, ...(outcome.type === 'failed' ? { note: outcome.message } : {}) });
      return outcome.type;
    } finally {
      clearInterval(watch);
      this.current[lane] = null;
      this.busy--;
      this.freeLanes.push(lane);
    }
  }

  /** The coordinator's file server, as it advertised it (none: the files must be found at the same paths). */
  private async blobSource(coordinator: string): Promise<BlobSource | undefined> {
    const raw = await this.redis.get(blobServiceKey(coordinator)).catch(() => null);
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = null;
    }
    const ad = BlobServiceAdSchema.safeParse(json);
    if (!ad.success) {
      if (raw !== this.badAd) this.emit({ type: 'log', message: `cannot read the file server advert of coordinator ${coordinator} (is every machine on the same DIX Workbench version?)` });
      this.badAd = raw;
      return undefined;
    }
    return { url: ad.data.url, token: ad.data.token, cacheDir: this.cacheDir };
  }

  private host(lane: number): WorkerHost {
    const existing = this.lanes[lane];
    if (existing && existing.isAlive) return existing;
    const host = new WorkerHost({
      launcher: this.launcher,
      executorPath: this.options.executorPath,
      readyTimeoutMs: this.options.readyTimeoutMs ?? 60_000,
      itemSilenceMs: this.options.itemSilenceMs ?? 60 * 60_000,
      // Stored maps live in the coordinator's database: a fleet worker computes every map it is asked for.
      findMapBlobs: () => [],
      onLog: (_jobId, level, message) => {
        if (level === 'warn' || level === 'error') this.emit({ type: 'log', message });
      },
      onProgress: (_jobId, _itemKey, fraction, note) => {
        void this.current[lane]?.updateProgress({ fraction, ...(note === undefined ? {} : { note }) }).catch(() => undefined);
      },
    });
    this.lanes[lane] = host;
    return host;
  }
}
