// Messages between the main process (host) and the engine worker. Every message carries the protocol version and is
// validated on arrival on both sides. Sent with structured clone (fork's 'advanced' serialization, or Electron's
// utilityProcess), so map blobs travel as Uint8Array. A remote worker could take the same messages later.
import { z } from 'zod';
import { BlobSourceSchema } from './blob-protocol';
import { BytesSchema, ItemResultSchema } from './item-result';
import { JobInputsSchema, JobSpecSchema } from './job-spec';

export const WORKER_PROTOCOL_VERSION = 1;
const V = z.literal(WORKER_PROTOCOL_VERSION);

/** One unit of work: an image, or an image x randomization step, or an epoch. */
export const WorkItemSchema = z.strictObject({
  /** Unique within the job, e.g. "image:42" or "step:3/image:42". */
  key: z.string().min(1),
  /** Position in the job's item order (0-based); items run in this order. */
  ordinal: z.number().int().nonnegative(),
  /** What the executor needs to run it without the store (image path and hash, label, step...). */
  payload: z.json(),
});
export type WorkItem = z.infer<typeof WorkItemSchema>;

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevelSchema>;

// host -> worker

export const RunItemMessageSchema = z.strictObject({
  v: V,
  type: z.literal('run-item'),
  jobId: z.number().int(),
  spec: JobSpecSchema,
  inputs: JobInputsSchema,
  item: WorkItemSchema,
  /** A fleet worker's: fetch from the coordinator, by content hash, what is not found at the inputs' paths. */
  blobs: BlobSourceSchema.optional(),
});

/** Reply to find-maps: the stored blobs of the keys that exist (absent keys are left out). */
export const MapsFoundMessageSchema = z.strictObject({
  v: V,
  type: z.literal('maps-found'),
  requestId: z.number().int(),
  maps: z.array(z.strictObject({ key: z.string(), blob: BytesSchema })),
});

export const ShutdownMessageSchema = z.strictObject({ v: V, type: z.literal('shutdown') });

export const HostToWorkerMessageSchema = z.discriminatedUnion('type', [
  RunItemMessageSchema,
  MapsFoundMessageSchema,
  ShutdownMessageSchema,
]);
export type HostToWorkerMessage = z.infer<typeof HostToWorkerMessageSchema>;
export type RunItemMessage = z.infer<typeof RunItemMessageSchema>;

// worker -> host

export const ReadyMessageSchema = z.strictObject({ v: V, type: z.literal('ready'), pid: z.number().int() });

export const ItemDoneMessageSchema = z.strictObject({
  v: V,
  type: z.literal('item-done'),
  jobId: z.number().int(),
  itemKey: z.string(),
  result: ItemResultSchema,
  startedAt: z.string(),
  finishedAt: z.string(),
});

/** The executor threw: a clear, non-crash failure that fails the job with this message. */
export const ItemFailedMessageSchema = z.strictObject({
  v: V,
  type: z.literal('item-failed'),
  jobId: z.number().int(),
  itemKey: z.string(),
  message: z.string(),
  stack: z.string().optional(),
  /** 'prepare': the job could not start at all (its inputs, its backend...); 'item' (default): this item failed. */
  stage: z.enum(['prepare', 'item']).optional(),
});

export const ProgressMessageSchema = z.strictObject({
  v: V,
  type: z.literal('progress'),
  jobId: z.number().int(),
  itemKey: z.string(),
  /** Share of the current item done, 0..1. */
  fraction: z.number().min(0).max(1),
  note: z.string().optional(),
});

export const LogMessageSchema = z.strictObject({
  v: V,
  type: z.literal('log'),
  jobId: z.number().int().nullable(),
  level: LogLevelSchema,
  message: z.string(),
});

/** Asks which of these map keys are stored (content-addressed reuse); answered by maps-found. */
export const FindMapsMessageSchema = z.strictObject({
  v: V,
  type: z.literal('find-maps'),
  requestId: z.number().int(),
  keys: z.array(z.string()).max(10_000),
});

export const WorkerToHostMessageSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  ItemDoneMessageSchema,
  ItemFailedMessageSchema,
  ProgressMessageSchema,
  LogMessageSchema,
  FindMapsMessageSchema,
]);
export type WorkerToHostMessage = z.infer<typeof WorkerToHostMessageSchema>;
export type ItemDoneMessage = z.infer<typeof ItemDoneMessageSchema>;

/**
 * Validates a received message; a version mismatch gets its own sentence (a host and worker from different releases).
 * Returns the message or a readable reason.
 */
export function parseMessage<T>(
  schema: z.ZodType<T>,
  raw: unknown,
): { ok: true; message: T } | { ok: false; reason: string } {
  const v = typeof raw === 'object' && raw !== null ? (raw as { v?: unknown }).v : undefined;
  if (v !== WORKER_PROTOCOL_VERSION) {
    return { ok: false, reason: `protocol version ${JSON.stringify(v)} received, ${WORKER_PROTOCOL_VERSION} expected` };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const type = (raw as { type?: unknown }).type;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
  return { ok: false, reason: `invalid ${JSON.stringify(type)} message: ${issues.join('; ')}` };
}
