// `dixw fleet status` and the window's fleet panel: the workers registered in Redis (their heartbeats), the shared
// items queue's counts and the items in progress (BullMQ's active list, with the progress their workers report).
import { Queue, type Job } from 'bullmq';
import { z } from 'zod';
import { FleetStatusSchema, FleetWorkerStatusSchema, type FleetActiveItem, type FleetStatus } from '../../../shared/fleet-protocol';
import { FLEET_PREFIX, ITEMS_QUEUE, WORKERS_KEY } from './fleet-names';
import { HEARTBEAT_MS } from './fleet-worker';
import { openRedis, reachRedis, type RedisQueue } from './redis-connection';

/** A worker whose record is older than this is shown as gone (it died, or lost Redis); it is forgotten after an hour. */
const GONE_AFTER_MS = 3 * HEARTBEAT_MS;
const FORGET_AFTER_MS = 3600_000;
/** Items in progress listed at most (a fleet of a few dozen machines holds fewer). */
const ACTIVE_SHOWN = 200;

/** `attempts`: how often to try reaching Redis first (the panel, read every few seconds, tries once and says so). */
export async function readFleetStatus(queue: RedisQueue, options: { attempts?: number } = {}): Promise<FleetStatus> {
  await reachRedis(queue, options.attempts);
  const redis = openRedis(queue);
  const items = new Queue(ITEMS_QUEUE, { connection: redis, prefix: FLEET_PREFIX });
  try {
    const now = Date.now();
    const workers: FleetStatus['workers'] = [];
    const active = (await items.getJobs(['active'], 0, ACTIVE_SHOWN - 1)).flatMap((job) => activeItem(job));
    for (const [id, text] of Object.entries(await redis.hgetall(WORKERS_KEY))) {
      let parsed;
      try {
        parsed = FleetWorkerStatusSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = null;
      }
      const age = parsed?.success ? now - Date.parse(parsed.data.lastSeenAt) : Infinity;
      if (!parsed?.success || age > FORGET_AFTER_MS) {
        await redis.hdel(WORKERS_KEY, id);
        continue;
      }
      workers.push({ ...parsed.data, alive: age <= GONE_AFTER_MS, heartbeatAgeMs: Math.max(0, age),
        current: active.filter((a) => a.worker === id).map((a) => a.itemKey) });
    }
    workers.sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
    const counts = await items.getJobCounts('waiting', 'prioritized', 'active', 'failed');
    const alive = workers.filter((w) => w.alive);
    // Validated like everything else that crosses a boundary: the panel and --json show exactly this shape.
    return FleetStatusSchema.parse({
      queue: queue.url,
      readAt: new Date(now).toISOString(),
      workers,
      items: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, failed: counts.failed ?? 0 },
      itemsDone: workers.reduce((n, w) => n + w.itemsDone, 0),
      active,
      itemsPerSecond: alive.reduce((n, w) => n + w.itemsPerSecond, 0),
    });
  } finally {
    await items.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** What the panel needs of an item, read leniently: an item of another version still shows as in progress. */
const ActiveDataSchema = z.object({ coordinator: z.string(), jobId: z.number().int(), item: z.object({ key: z.string() }) });

/** An active BullMQ job as an item in progress; nothing for one that is not a workbench item (garbage in the queue). */
function activeItem(job: Job): FleetActiveItem[] {
  const parsed = ActiveDataSchema.safeParse(job.data);
  if (!parsed.success) return [];
  const p = job.progress as { fraction?: unknown; note?: unknown } | number | null;
  const fraction = typeof p === 'object' && p !== null && typeof p.fraction === 'number' ? Math.min(1, Math.max(0, p.fraction)) : null;
  return [{
    coordinator: parsed.data.coordinator,
    jobId: parsed.data.jobId,
    itemKey: parsed.data.item.key,
    name: null,
    fraction,
    note: typeof p === 'object' && p !== null && typeof p.note === 'string' ? p.note : null,
    startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
    worker: job.processedBy ?? null,
  }];
}
