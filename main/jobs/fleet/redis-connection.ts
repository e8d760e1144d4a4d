// One ioredis connection to the fleet's Redis, as BullMQ wants it (no per-request retry limit: a restarted Redis is
// waited for, not failed on), and a first contact that says clearly when nothing answers at the address.
import { Redis } from 'ioredis';
import type { QueueBackend } from '../../../shared/fleet-protocol';

export type RedisQueue = Extract<QueueBackend, { kind: 'redis' }>;

export function openRedis(queue: RedisQueue): Redis {
  const redis = new Redis({ host: queue.host, port: queue.port, db: queue.db, maxRetriesPerRequest: null, lazyConnect: false,
    // Reconnect quickly after a Redis restart, never more than 2 s apart.
    retryStrategy: (times) => Math.min(2000, 50 * times) });
  // Connection errors are retried by ioredis; the first one is reported by reachRedis, later ones are transient.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once Redis answers PING; rejects with a clear message if it does not within a few attempts. */
export async function reachRedis(queue: RedisQueue, attempts = 10): Promise<void> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    // A probe that fails at once (the working connections queue their commands until Redis is back).
    const probe = new Redis({ host: queue.host, port: queue.port, db: queue.db, lazyConnect: true, enableOfflineQueue: false,
      maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      last = err;
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 100 * (i + 1)));
  }
  throw new Error(`no Redis answers at ${queue.url} (${(last as Error)?.message ?? 'no answer'}). Start redis-server there, or check the address given to --queue.`);
}
