// Names in Redis: the shared items queue, one results queue per coordinator (its database), BullMQ job ids for an
// item (stable, so publishing an item twice adds it once) and the keys of the worker registry, cancel flags and the
// coordinators' file servers.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** BullMQ's key prefix for everything of the workbench. */
export const FLEET_PREFIX = 'dixw';
export const ITEMS_QUEUE = 'items';
export const WORKERS_KEY = `${FLEET_PREFIX}:fleet:workers`;

export function resultsQueueName(coordinator: string): string {
  return `results-${coordinator}`;
}

/** A coordinator is named by its database file (host and absolute path): the same database, the same name after a restart. */
export function coordinatorName(storePath: string): string {
  return createHash('sha256').update(`${hostname()}\n${resolve(storePath)}`).digest('hex').slice(0, 16);
}

/** BullMQ custom ids may not contain ':' (item keys do), so the key is hashed; the data carries the real key. */
export function itemJobId(coordinator: string, jobId: number, itemKey: string): string {
  return `${coordinator}-${jobId}-${createHash('sha256').update(itemKey).digest('hex').slice(0, 24)}`;
}

/** Set by the coordinator when the user cancels a job: workers abandon its items in progress. */
export function cancelFlagKey(coordinator: string, jobId: number): string {
  return `${FLEET_PREFIX}:fleet:cancelled:${coordinator}:${jobId}`;
}

/** The coordinator's file server (url and token), for workers that fetch models and datasets by content hash. */
export function blobServiceKey(coordinator: string): string {
  return `${FLEET_PREFIX}:fleet:blobs:${coordinator}`;
}
