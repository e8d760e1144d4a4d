// What the worker process runs: an executor module, loaded by path, so tests use a small test executor and the app
// plugs in main/jobs/engine-executor.ts. The module's default export is a factory returning an Executor.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScoreResult, SimilarityResult } from '../../shared/item-result';
import type { JsonValue } from '../../shared/json';
import type { BlobSource } from '../../shared/blob-protocol';
import type { JobInputs, JobSpec } from '../../shared/job-spec';
import type { BackendInfo, Provenance } from '../../shared/provenance';
import type { LogLevel, WorkItem } from '../../shared/worker-protocol';
import type { DecodedMap } from '../store/map-codec';

export interface JobContext {
  readonly jobId: number;
  /** What the spec's model and dataset resolved to at enqueue: ids, paths, content hashes. */
  readonly inputs: JobInputs;
  /** On a fleet worker: where to fetch, by content hash, the inputs not found at their paths here. */
  readonly blobs?: BlobSource;
  /** Goes to the host; warnings and errors are kept in the job's log. */
  log(level: LogLevel, message: string): void;
}

export interface ItemContext extends JobContext {
  readonly item: WorkItem;
  /** Share of this item done (0..1), for the progress bar of long items. */
  progress(fraction: number, note?: string): void;
  /** The maps among these keys (main/store/map-key.ts) that are stored already, decoded; the rest are absent. */
  findStoredMaps(keys: readonly string[]): Promise<Map<string, DecodedMap>>;
}

/** A map as computed; the worker encodes it (map-codec) and derives its key from the provenance and image hash. */
export interface ComputedMap {
  imageId: number | null;
  imageHash: string;
  /** Row-major height x width. */
  values: ArrayLike<number>;
  height: number;
  width: number;
  provenance: Provenance;
  /** The map already encoded by the store's codec (an executor that needed its stored form); else encoded here. */
  blob?: Uint8Array;
}

export interface ExecutorResult {
  /** Dropped by the worker for items beyond the spec's keepMaps; scores are always kept. */
  maps?: ComputedMap[];
  /** Keys of stored maps used instead of recomputing (see findStoredMaps). */
  reusedMapKeys?: string[];
  scores?: ScoreResult[];
  similarities?: SimilarityResult[];
  /** Anything else to keep on the item (e.g. an epoch's loss and accuracy). */
  output?: JsonValue;
  backend?: BackendInfo;
}

/**
 * Lifecycle in one worker: prepare(spec) before the first item of a job; runItem for each item, one at a time, in
 * order; dispose() before preparing another job and at shutdown (the same object is prepared again afterwards).
 * Throwing fails the item (and its job) with the error's message; a crash of the process is retried by the host.
 * Items must be idempotent: after a crash an item may run again.
 */
export interface Executor {
  prepare(spec: JobSpec, ctx: JobContext): void | Promise<void>;
  runItem(spec: JobSpec, item: WorkItem, ctx: ItemContext): ExecutorResult | Promise<ExecutorResult>;
  dispose(): void | Promise<void>;
}

export type ExecutorFactory = () => Executor | Promise<Executor>;

export async function loadExecutor(modulePath: string): Promise<Executor> {
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    throw new Error(`${modulePath} must have a default export: a function that returns an executor { prepare, runItem, dispose }`);
  }
  const executor = (await (mod.default as ExecutorFactory)()) as Partial<Executor> | null;
  for (const name of ['prepare', 'runItem', 'dispose'] as const) {
    if (typeof executor?.[name] !== 'function') throw new Error(`the executor made by ${modulePath} has no ${name}() method`);
  }
  return executor as Executor;
}
