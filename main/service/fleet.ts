// The fleet's two operations that need no workbench database: run a fleet worker on this machine, and read the
// fleet's status. (Coordinating is the job runner's, with the `queue` option.) Bad addresses are ServiceErrors.
import type { FleetStatus } from '../../shared/fleet-protocol';
import { parseQueueBackend } from '../../shared/fleet-protocol';
import type { FleetWorkerEvent } from '../jobs/fleet/fleet-worker';
import { defaultWorkerCount, parseWorkerCount } from '../jobs/worker-count';
import { ENGINE_EXECUTOR } from './service';
import { ServiceError } from './service-error';

export type { FleetStatus, FleetWorkerEvent };

function redisQueue(text: string) {
  let queue;
  try {
    queue = parseQueueBackend(text);
  } catch (err) {
    throw new ServiceError('invalid-input', `${(err as Error).message}.`, 'Give --queue redis://HOST:PORT where redis-server runs.');
  }
  if (queue.kind !== 'redis') throw new ServiceError('invalid-input', 'a fleet needs a Redis queue, not "local".', 'Give --queue redis://HOST:PORT.');
  return queue;
}

/** --workers N|auto for a fleet worker: engine processes on this machine (auto: every core on CPU backends, one per GPU). */
export function fleetWorkerLanes(text: string | undefined): number {
  try {
    return parseWorkerCount(text ?? 'auto') ?? defaultWorkerCount();
  } catch (err) {
    throw new ServiceError('invalid-input', `${(err as Error).message}.`, 'Give e.g. --workers 2, or auto for every core.');
  }
}

export interface RunningFleetWorker {
  readonly id: string;
  on(listener: (e: FleetWorkerEvent) => void): () => void;
  stop(): Promise<void>;
}

/** Connects to the fleet's Redis and starts taking items on `lanes` engine worker processes. */
export async function startFleetWorker(options: { queue: string; lanes: number; executorPath?: string; visibilityMs?: number; cacheDir?: string }): Promise<RunningFleetWorker> {
  const queue = redisQueue(options.queue);
  const { FleetWorker } = await import('../jobs/fleet/fleet-worker');
  const worker = new FleetWorker({ queue, executorPath: options.executorPath ?? ENGINE_EXECUTOR, lanes: options.lanes, visibilityMs: options.visibilityMs, cacheDir: options.cacheDir });
  try {
    await worker.start();
  } catch (err) {
    await worker.stop().catch(() => undefined);
    throw new ServiceError('unusable-input', (err as Error).message);
  }
  return worker;
}

/** Resolves once the fleet's Redis answers; a ServiceError saying so if it does not. */
export async function checkFleetQueue(queueText: string): Promise<void> {
  const queue = redisQueue(queueText);
  const { reachRedis } = await import('../jobs/fleet/redis-connection');
  try {
    await reachRedis(queue);
  } catch (err) {
    throw new ServiceError('unusable-input', (err as Error).message);
  }
}

export async function fleetStatus(queueText: string): Promise<FleetStatus> {
  const queue = redisQueue(queueText);
  const { readFleetStatus } = await import('../jobs/fleet/fleet-status');
  try {
    return await readFleetStatus(queue);
  } catch (err) {
    throw new ServiceError('unusable-input', (err as Error).message);
  }
}
