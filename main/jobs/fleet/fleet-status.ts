// `dixw fleet status`: the workers registered in Redis (their heartbeats), and the shared items queue's counts.
import { Queue } from 'bullmq';
import { FleetWorkerStatusSchema, type FleetStatus } from '../../../shared/fleet-protocol';
import { FLEET_PREFIX, ITEMS_QUEUE, WORKERS_KEY } from './fleet-names';
import { HEARTBEAT_MS } from './fleet-worker';
import { openRedis, reachRedis, type RedisQueue } from './redis-connection';

/** A worker whose record is older than this is shown as gone (it died, or lost Redis); it is forgotten after an hour. */
const GONE_AFTER_MS = 3 * HEARTBEAT_MS;
const FORGET_AFTER_MS = 3600_000;

export async function readFleetStatus(queue: RedisQueue): Promise<FleetStatus> {
  await reachRedis(queue);
  const redis = openRedis(queue);
  const items = new Queue(ITEMS_QUEUE, { connection: redis, prefix: FLEET_PREFIX });
  try {
    const now = Date.now();
    const workers: FleetStatus['workers'] = [];
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
      workers.push({ ...parsed.data, alive: age <= GONE_AFTER_MS });
    }
    workers.sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
    const counts = await items.getJobCounts('waiting', 'prioritized', 'active', 'failed');
    const alive = workers.filter((w) => w.alive);
    return {
      queue: queue.url,
      workers,
      items: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, failed: counts.failed ?? 0 },
      itemsDone: workers.reduce((n, w) => n + w.itemsDone, 0),
      itemsPerSecond: alive.reduce((n, w) => n + w.itemsPerSecond, 0),
    };
  } finally {
    await items.close().catch(() => undefined);
    redis.disconnect();
  }
}
