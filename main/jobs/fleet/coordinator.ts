// The coordinator of a fleet (the queue backend `redis://...`): the one process that commits to SQLite. It claims a
// job with the same lease as the local scheduler, publishes the job's pending items to the shared BullMQ items queue,
// consumes its own results queue and commits each result with the same commitItem the scheduler uses. It has the
// scheduler's public surface and events, so the service runs either.
//
// Nothing is lost: an item is published under a stable id (coordinator, job, item key), so publishing it again after
// a restart (of the coordinator, or of a Redis that lost its data) adds it once; a result is committed in one
// transaction and only then removed from Redis; a result that arrives twice is stored once (commitItem is idempotent).
//
// Workers that do not find a job's model or dataset at the path registered here fetch the files by content hash from
// this coordinator's file server (blob-server.ts), advertised in Redis with its per-launch token. A model a worker
// trains for a job is uploaded to the same server and written at the job's output folder here (model-receiver.ts)
// before the worker sends the item's result.
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { FLEET_PROTOCOL_VERSION, FleetResultSchema, type FleetItem } from '../../../shared/fleet-protocol';
import { MAX_ITEM_ATTEMPTS } from '../../../shared/job-state';
import type { JobRecord } from '../../../shared/store-types';
import { commitItem } from '../../store/commit-item';
import { countItems, findItem, listItems, markItemFailed, markItemRunning, resetRunningItems, returnItem } from '../../store/items-repo';
import { addJobEvent } from '../../store/job-events-repo';
import { finishLeasedJob, getJob, getJobControl, reassertRunning, renewLease } from '../../store/jobs-repo';
import { JobLifecycle, type JobLifecycleOptions } from '../job-lifecycle';
import { BlobCatalog } from './blob-catalog';
import { BlobServer, type BlobServerOptions } from './blob-server';
import { ModelReceiver } from './model-receiver';
import { itemInputs } from './item-inputs';
import { parallelPolicy } from '../parallel-policy';
import { blobServiceKey, cancelFlagKey, coordinatorName, FLEET_PREFIX, ITEMS_QUEUE, itemJobId, resultsQueueName } from './fleet-names';
import { openRedis, reachRedis, type RedisQueue } from './redis-connection';
import { fromWire } from './wire-result';

export interface FleetCoordinatorOptions extends JobLifecycleOptions {
  /** The database file: names this coordinator in Redis (the same name after a restart). */
  storePath: string;
  queue: RedisQueue;
  /** Items of the job out in Redis at once (topped up as results come back), so a job of 850,000 items is not copied whole into Redis. */
  window?: number;
  /** Where the file server listens (default DIXW_BLOB_HOST, else 127.0.0.1; DIXW_BLOB_PORT, else any free port). */
  blobServer?: BlobServerOptions;
}

function blobServerFromEnv(env = process.env): BlobServerOptions {
  const port = Number(env.DIXW_BLOB_PORT);
  return { host: env.DIXW_BLOB_HOST || '127.0.0.1', port: Number.isInteger(port) && port > 0 ? port : 0 };
}

/** The job this coordinator holds, while its items are out in the fleet. */
interface FleetRun {
  job: JobRecord;
  /** BullMQ item id -> item key, for the items queue's events. */
  published: Map<string, string>;
  /** Resolves the run's wait: finished, stopped by the user, taken over or let go. */
  wake: () => void;
}

const CANCEL_FLAG_SECONDS = 7 * 24 * 3600;

export class FleetCoordinator extends JobLifecycle {
  readonly name: string;
  private readonly redis: Redis;
  /** QueueEvents blocks on its own connection; BullMQ does not close a connection it was given. */
  private eventsConnection: Redis | null = null;
  private items: Queue | null = null;
  private itemEvents: QueueEvents | null = null;
  private results: Worker | null = null;
  private run: FleetRun | null = null;
  private connectedOnce = false;
  private readonly window: number;
  private readonly catalog: BlobCatalog;
  private readonly receiver = new ModelReceiver();
  private readonly blobServer: BlobServer;
  /** The file server's advert, once it listens (null: not started, or it could not listen). */
  private blobAd: string | null = null;
  /** Publishing runs one at a time (the loop's top-up and a Redis restart may ask at once). */
  private publishing: Promise<void> = Promise.resolve();

  constructor(private readonly options: FleetCoordinatorOptions) {
    super(options);
    this.window = Math.max(1, Math.floor(options.window ?? 1000));
    this.name = coordinatorName(options.storePath);
    this.redis = openRedis(options.queue);
    this.catalog = new BlobCatalog(this.store);
    this.blobServer = new BlobServer(this.catalog, options.blobServer ?? blobServerFromEnv(), this.receiver);
  }

  /** The fleet decides: every worker that is connected takes items. */
  override get workersPerJob(): number {
    return 0;
  }

  override wake(): void {
    super.wake();
    this.run?.wake();
  }

  /** Stops claiming and lets go of the job; its items stay in the fleet and their results wait in Redis for the next start. */
  async stop(): Promise<void> {
    await this.stopLoop();
    await this.results?.close(true).catch(() => undefined);
    await this.itemEvents?.close().catch(() => undefined);
    await this.items?.close().catch(() => undefined);
    if (this.blobAd) await this.redis.del(blobServiceKey(this.name)).catch(() => undefined);
    await this.blobServer.stop();
    this.eventsConnection?.disconnect();
    this.redis.disconnect();
  }

  /** Connects, then runs the claim loop. A Redis that is not up yet (the app started first) is waited for; each failed attempt is reported. */
  protected override async main(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.connect();
        break;
      } catch (err) {
        this.emit({ type: 'error', message: (err as Error).message });
        await this.sleep(5000);
      }
    }
    await this.loop();
  }

  /** A fixed pause, not a growing one: a Redis that comes back is used again at once. */
  protected override backOffMs(): number {
    return this.pollMs * 4;
  }

  private async connect(): Promise<void> {
    await reachRedis(this.options.queue);
    const connection = this.redis;
    this.items = new Queue(ITEMS_QUEUE, { connection, prefix: FLEET_PREFIX });
    this.items.on('error', () => undefined);
    this.eventsConnection = connection.duplicate();
    this.eventsConnection.on('error', () => undefined);
    this.itemEvents = new QueueEvents(ITEMS_QUEUE, { connection: this.eventsConnection, prefix: FLEET_PREFIX });
    this.itemEvents.on('error', () => undefined);
    this.itemEvents.on('active', ({ jobId }) => this.onItemActive(jobId));
    this.itemEvents.on('progress', ({ jobId, data }) => this.onItemProgress(jobId, data));
    this.itemEvents.on('failed', ({ jobId, failedReason }) => this.onItemFailed(jobId, failedReason));
    this.results = new Worker(resultsQueueName(this.name), (job) => this.onResult(job), { connection, prefix: FLEET_PREFIX, concurrency: 1 });
    this.results.on('error', () => undefined);
    // Results whose commit failed every time (the database was full or locked) are given another chance now; their
    // items are done in Redis, so nothing else would bring them back.
    const failedResults = new Queue(resultsQueueName(this.name), { connection, prefix: FLEET_PREFIX });
    await failedResults.retryJobs({ state: 'failed' }).catch(() => undefined);
    await failedResults.close().catch(() => undefined);
    await this.serveFiles();
    // A Redis that comes back may have lost the queue (no persistence): publish the running job's items again.
    connection.on('ready', () => {
      if (!this.connectedOnce) return;
      if (this.blobAd) void this.redis.set(blobServiceKey(this.name), this.blobAd).catch(() => undefined);
      this.emit({ type: 'log', jobId: this.run?.job.id ?? null, level: 'warn', message: 'Redis is back; publishing the items in flight again' });
      void this.publish(true).catch((err: Error) => this.emit({ type: 'error', message: `publishing after a Redis restart: ${err.message}` }));
    });
    this.connectedOnce = true;
  }

  /** Starts the file server (once) and advertises it; without it the fleet still runs, on files found at the same path. */
  private async serveFiles(): Promise<void> {
    if (!this.blobAd) {
      try {
        this.blobAd = JSON.stringify(await this.blobServer.start());
      } catch (err) {
        this.emit({ type: 'error', message: `the file server for fleet workers cannot listen (${(err as Error).message}); workers must find models and datasets at the same paths` });
        return;
      }
    }
    await this.redis.set(blobServiceKey(this.name), this.blobAd).catch(() => undefined); // said again when Redis is back
  }

  protected async runJob(job: JobRecord): Promise<void> {
    this.catalog.offer(job.inputs);
    this.receiver.expect(job);
    try {
      await this.runInFleet(job);
    } finally {
      this.run = null;
    }
  }

  private async runInFleet(job: JobRecord): Promise<void> {
    const { store } = this;
    const jobId = job.id;
    const interrupted = resetRunningItems(store, jobId);
    const first = listItems(store, jobId, { state: 'pending', limit: 1 })[0];
    this.emit({ type: 'job-started', jobId, itemsDone: job.itemsDone, itemsTotal: job.itemsTotal, firstItemKey: first?.key ?? null, resumed: job.itemsDone > 0 || interrupted > 0 });
    await this.redis.del(cancelFlagKey(this.name, jobId));
    let wake!: () => void;
    let woken = new Promise<void>((r) => (wake = r));
    this.run = { job, published: new Map(), wake: () => wake() };
    await this.publish(false);
    let lastRenewal = Date.now();
    for (;;) {
      await Promise.race([woken, new Promise((r) => setTimeout(r, this.pollMs))]);
      woken = new Promise<void>((r) => (wake = r));
      if (this.stopping) return this.letGo(jobId);
      if (Date.now() - lastRenewal > this.leaseMs / 4) {
        lastRenewal = Date.now();
        if (!renewLease(store, jobId, this.runnerId)) return this.takenOver(jobId);
      }
      const control = getJobControl(store, jobId);
      if (!control || control.runner !== this.runnerId) return this.takenOver(jobId);
      if (control.state === 'queued') reassertRunning(store, jobId, this.runnerId);
      else if (control.state === 'cancelled') return this.cancel(jobId);
      else if (control.state === 'paused') {
        if (await this.pause(jobId)) return this.letGo(jobId);
        continue;
      } else if (control.state !== 'running') return; // failed here (a failed result), already reported
      const counts = countItems(store, jobId);
      if (counts.pending + counts.running === 0) return this.finish(jobId);
      if (counts.pending > 0 && counts.running <= this.window / 2) await this.publish(false);
    }
  }

  /**
   * Puts items of the running job in the items queue (once each: stable ids): pending ones up to the window and, after a
   * Redis restart (`inFlight`), those already out again.
   */
  private publish(inFlight: boolean): Promise<void> {
    const next = this.publishing.then(() => this.publishNow(inFlight));
    this.publishing = next.catch(() => undefined);
    return next;
  }

  private async publishNow(inFlight: boolean): Promise<void> {
    const run = this.run;
    const items = this.items;
    if (!run || !items) return;
    const jobId = run.job.id;
    const running = listItems(this.store, jobId, { state: 'running' });
    const room = Math.max(0, this.window - running.length);
    let pending = room > 0 ? listItems(this.store, jobId, { state: 'pending', limit: room }) : [];
    const job = getJob(this.store, jobId) ?? run.job;
    // A first item that every other item needs (a sanity job's "train-pair") goes out alone, the rest once it is done.
    const first = parallelPolicy(job.spec).firstItemAlone ? listItems(this.store, jobId, { limit: 1 })[0] : undefined;
    if (first && first.state !== 'done') pending = pending.filter((i) => i.id === first.id);
    const out = [...(inFlight ? running : []), ...pending];
    const inputs = itemInputs(this.store, job);
    if (inputs !== job.inputs) this.catalog.offer(inputs); // the trained pair becomes fetchable by its hashes
    const bulk: Parameters<Queue['addBulk']>[0] = [];
    for (const record of out) {
      const id = itemJobId(this.name, jobId, record.key);
      run.published.set(id, record.key);
      // An item that failed in BullMQ before (attempts used up while we were away) is given a fresh start.
      const existing = await items.getJob(id);
      if (existing && (await existing.isFailed())) await existing.remove().catch(() => undefined);
      const item = record.state === 'pending' ? markItemRunning(this.store, record.id) : record;
      const data: FleetItem = { v: FLEET_PROTOCOL_VERSION, coordinator: this.name, jobId, spec: job.spec, inputs, item: { key: item.key, ordinal: item.ordinal, payload: item.payload } };
      bulk.push({ name: 'item', data, opts: { jobId: id, attempts: MAX_ITEM_ATTEMPTS, removeOnComplete: false, removeOnFail: false } });
    }
    for (let i = 0; i < bulk.length; i += 500) await items.addBulk(bulk.slice(i, i + 500));
  }

  /** Commits one result from the fleet (or fails the job with the executor's reason). */
  private async onResult(job: Job): Promise<void> {
    const parsed = FleetResultSchema.safeParse(job.data);
    if (!parsed.success) {
      this.emit({ type: 'error', message: `ignored a result the fleet sent in another format (${parsed.error.issues[0]?.message}); is every worker on this version?` });
      return;
    }
    const r = parsed.data;
    const item = findItem(this.store, r.jobId, r.itemKey);
    const control = getJobControl(this.store, r.jobId);
    if (!item || !control) return; // the job was removed since
    if (r.type === 'failed') {
      if (control.runner === this.runnerId && this.run?.job.id === r.jobId) this.fail(r.jobId, item.id, r.stage === 'prepare' ? `the job could not start: ${r.message}` : `item ${r.itemKey} failed: ${r.message}`);
      else markItemFailed(this.store, item.id, r.message);
      return;
    }
    if (control.state === 'cancelled') return;
    const committed = commitItem(this.store, { jobId: r.jobId, itemId: item.id, result: fromWire(r.result), startedAt: r.startedAt, finishedAt: r.finishedAt });
    // Stored: the item's record in Redis is no longer needed (a duplicate result finds the item done and changes nothing).
    await this.items?.remove(itemJobId(this.name, r.jobId, r.itemKey)).catch(() => undefined);
    if (!committed.committed) return;
    if (control.runner === this.runnerId) renewLease(this.store, r.jobId, this.runnerId);
    this.emit({
      type: 'item-committed',
      jobId: r.jobId,
      itemKey: r.itemKey,
      ordinal: item.ordinal,
      itemsDone: committed.itemsDone,
      itemsTotal: getJob(this.store, r.jobId)?.itemsTotal ?? 0,
      mapsStored: committed.mapsStored,
      mapsReused: committed.mapsReused,
      durationMs: Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.startedAt)),
    });
    if (this.run?.job.id === r.jobId) this.run.wake();
  }

  private onItemActive(bullId: string): void {
    const key = this.run?.published.get(bullId);
    const run = this.run;
    if (!key || !run) return;
    const item = findItem(this.store, run.job.id, key);
    if (item) this.emit({ type: 'item-started', jobId: run.job.id, itemKey: key, ordinal: item.ordinal, attempt: item.attempts });
  }

  private onItemProgress(bullId: string, data: unknown): void {
    const key = this.run?.published.get(bullId);
    const run = this.run;
    const p = data as { fraction?: unknown; note?: unknown } | null;
    if (!key || !run || typeof p?.fraction !== 'number') return;
    this.emit({ type: 'item-progress', jobId: run.job.id, itemKey: key, fraction: p.fraction, ...(typeof p.note === 'string' ? { note: p.note } : {}) });
  }

  /** An item BullMQ gave up on: its workers died on it (or crashed) every time it was tried. */
  private onItemFailed(bullId: string, reason: string): void {
    const key = this.run?.published.get(bullId);
    const run = this.run;
    if (!key || !run) return;
    const item = findItem(this.store, run.job.id, key);
    if (!item || item.state === 'done') return;
    const control = getJobControl(this.store, run.job.id);
    if (control?.state !== 'running' || control.runner !== this.runnerId) return;
    this.fail(run.job.id, item.id, `item ${key} was tried ${MAX_ITEM_ATTEMPTS} times in the fleet and never finished; last: ${reason}`);
  }

  /** Pausing: items not yet taken are withdrawn; those in progress finish and are committed. True once none is left out. */
  private async pause(jobId: number): Promise<boolean> {
    const run = this.run;
    if (!run || !this.items) return true;
    let out = 0;
    for (const [id, key] of run.published) {
      const item = findItem(this.store, jobId, key);
      if (!item || item.state !== 'running') continue;
      const removed = await this.items.remove(id).catch(() => 0);
      if (removed === 1) returnItem(this.store, item.id);
      else if ((await this.items.getJobState(id)) === 'active') out++;
      else returnItem(this.store, item.id);
    }
    return out === 0;
  }

  private async cancel(jobId: number): Promise<void> {
    await this.redis.set(cancelFlagKey(this.name, jobId), '1', 'EX', CANCEL_FLAG_SECONDS);
    for (const [id, key] of this.run?.published ?? []) {
      await this.items?.remove(id).catch(() => 0);
      const item = findItem(this.store, jobId, key);
      if (item) returnItem(this.store, item.id);
    }
    this.letGo(jobId);
  }

  private fail(jobId: number, itemId: number, error: string): void {
    const job = this.store.transaction(() => {
      markItemFailed(this.store, itemId, error);
      return finishLeasedJob(this.store, jobId, this.runnerId, 'failed', error);
    });
    try {
      addJobEvent(this.store, jobId, 'error', error);
    } catch {
      // A copy of the job's error.
    }
    // The rest of the job's items are withdrawn from the fleet.
    void this.withdraw(jobId);
    this.emit({ type: 'job-stopped', jobId, state: job.state, error });
    this.run?.wake();
  }

  private async withdraw(jobId: number): Promise<void> {
    await this.redis.set(cancelFlagKey(this.name, jobId), '1', 'EX', CANCEL_FLAG_SECONDS).catch(() => undefined);
    for (const id of this.run?.published.keys() ?? []) await this.items?.remove(id).catch(() => 0);
  }
}
