// What travels through Redis between the coordinator (the one process that commits to SQLite) and fleet workers.
// BullMQ stores job data as JSON, so map blobs travel as base64 text here; everything is validated on arrival.
import { z } from 'zod';
import { ItemResultSchema, MapResultSchema } from './item-result';
import { JobInputsSchema, JobSpecSchema } from './job-spec';
import { WorkItemSchema } from './worker-protocol';

export const FLEET_PROTOCOL_VERSION = 1;
const V = z.literal(FLEET_PROTOCOL_VERSION);

/** One item of one coordinator's job, as a fleet worker takes it from the items queue. */
export const FleetItemSchema = z.strictObject({
  v: V,
  /** Names the coordinator's database; results go to that coordinator's results queue. */
  coordinator: z.string().min(1),
  jobId: z.number().int(),
  spec: JobSpecSchema,
  inputs: JobInputsSchema,
  item: WorkItemSchema,
});
export type FleetItem = z.infer<typeof FleetItemSchema>;

/** A map result with its blob as base64 (JSON has no bytes). */
const WireMapSchema = MapResultSchema.extend({ blob: z.string() });
export const WireItemResultSchema = ItemResultSchema.extend({ maps: z.array(WireMapSchema) });
export type WireItemResult = z.infer<typeof WireItemResultSchema>;

/** Who ran an item (shown by `dixw fleet status` and kept in the job log). */
export const FleetWorkerRefSchema = z.strictObject({ id: z.string().min(1), host: z.string(), backend: z.string().nullable() });
export type FleetWorkerRef = z.infer<typeof FleetWorkerRefSchema>;

/** A fleet worker's answer for one item, on the coordinator's results queue. */
export const FleetResultSchema = z.discriminatedUnion('type', [
  z.strictObject({
    v: V,
    type: z.literal('done'),
    jobId: z.number().int(),
    itemKey: z.string().min(1),
    worker: FleetWorkerRefSchema,
    startedAt: z.string(),
    finishedAt: z.string(),
    result: WireItemResultSchema,
  }),
  z.strictObject({
    v: V,
    /** The executor refused the item or the job (a bad input, a model that is not the registered one): fails the job. */
    type: z.literal('failed'),
    jobId: z.number().int(),
    itemKey: z.string().min(1),
    worker: FleetWorkerRefSchema,
    message: z.string(),
    stage: z.enum(['prepare', 'item']).optional(),
  }),
]);
export type FleetResult = z.infer<typeof FleetResultSchema>;

/** A fleet worker's heartbeat record (a Redis hash field, refreshed while it runs). */
export const FleetWorkerStatusSchema = z.strictObject({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  backend: z.string().nullable(),
  lanes: z.number().int().positive(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  itemsDone: z.number().int().nonnegative(),
  busy: z.number().int().nonnegative(),
  /** Items finished per second over the last minute. */
  itemsPerSecond: z.number().nonnegative(),
});
export type FleetWorkerStatus = z.infer<typeof FleetWorkerStatusSchema>;

/** An item a fleet worker holds now (BullMQ's active list), with the progress its engine process last reported. */
export const FleetActiveItemSchema = z.strictObject({
  coordinator: z.string(),
  jobId: z.number().int(),
  itemKey: z.string(),
  /** What a person calls the item (the image's path), where the reader knows the job (its own database); else null. */
  name: z.string().nullable(),
  fraction: z.number().min(0).max(1).nullable(),
  note: z.string().nullable(),
  /** When the worker took it (BullMQ's processedOn). */
  startedAt: z.string().nullable(),
  /** The id of the worker that took it where BullMQ recorded one (its processedBy), else null. */
  worker: z.string().nullable(),
});
export type FleetActiveItem = z.infer<typeof FleetActiveItemSchema>;

/** A registered worker as `fleet status` shows it: its record, whether it beat recently and how long ago. */
export const FleetWorkerRowSchema = FleetWorkerStatusSchema.extend({
  alive: z.boolean(),
  /** readAt - lastSeenAt: the age of its last heartbeat when the status was read. */
  heartbeatAgeMs: z.number().nonnegative(),
  /** The items it runs now, where the queue says which worker took them. */
  current: z.array(z.string()),
});
export type FleetWorkerRow = z.infer<typeof FleetWorkerRowSchema>;

/** What `dixw fleet status` (and the window's fleet panel) shows: the workers that beat recently, and the shared items queue. */
export const FleetStatusSchema = z.strictObject({
  queue: z.string(),
  /** When Redis was read (the reader's clock): heartbeat ages are relative to it. */
  readAt: z.string(),
  workers: z.array(FleetWorkerRowSchema),
  items: z.strictObject({ waiting: z.number().int().nonnegative(), active: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }),
  /** The items in progress anywhere in the fleet. */
  active: z.array(FleetActiveItemSchema),
  itemsDone: z.number().int().nonnegative(),
  itemsPerSecond: z.number().nonnegative(),
});
export type FleetStatus = z.infer<typeof FleetStatusSchema>;

export type QueueBackend = { kind: 'local' } | { kind: 'redis'; url: string; host: string; port: number; db: number };

/** The queue backend setting: `local` (the SQLite queue and local workers) or `redis://HOST:PORT[/DB]`. */
export function parseQueueBackend(text: string | undefined): QueueBackend {
  const t = (text ?? 'local').trim();
  if (t === '' || t === 'local') return { kind: 'local' };
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw new Error(`the queue "${t}" is neither "local" nor a redis:// address; give --queue local or --queue redis://HOST:PORT`);
  }
  if (url.protocol !== 'redis:') throw new Error(`the queue "${t}" is not a redis:// address; give --queue redis://HOST:PORT (or local)`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!url.hostname || !Number.isInteger(port) || port <= 0 || port > 65535 || !Number.isInteger(db) || db < 0) {
    throw new Error(`the queue "${t}" is not a usable redis:// address; give redis://HOST:PORT or redis://HOST:PORT/DB`);
  }
  return { kind: 'redis', url: t, host: url.hostname, port, db };
}
