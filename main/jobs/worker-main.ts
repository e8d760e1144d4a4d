// Entry of the worker process: `worker-main.ts EXECUTOR_MODULE`. Runs items one at a time with the executor and
// streams each result back; the main process commits them. Exits when the host goes away (nobody to report to).
import { ItemResultSchema, type ItemResult } from '../../shared/item-result';
import { keepsMaps, type JobSpec } from '../../shared/job-spec';
import {
  HostToWorkerMessageSchema,
  parseMessage,
  WORKER_PROTOCOL_VERSION as v,
  type LogLevel,
  type RunItemMessage,
  type WorkerToHostMessage,
  type WorkItem,
} from '../../shared/worker-protocol';
import { decodeMap, encodeMap, type DecodedMap } from '../store/map-codec';
import { mapKeyFromProvenance } from '../store/map-key';
import { loadExecutor, type Executor, type ExecutorResult, type ItemContext, type JobContext } from './executor';
import { hostTransport } from './worker-transport';

const transport = hostTransport();
const send = (message: WorkerToHostMessage): void => transport?.send(message);

async function main(): Promise<void> {
  if (!transport) {
    console.error('worker-main must be started by the host over an IPC channel (child_process.fork or utilityProcess).');
    process.exit(64);
  }
  transport.onHostGone(() => process.exit(0));
  // Ctrl-C in a terminal reaches the whole process group; the host decides when this process ends (shutdown or kill),
  // so an interrupted command never counts as a worker crash.
  process.on('SIGINT', () => undefined);
  const executorPath = process.argv[2];
  if (!executorPath) {
    console.error('worker-main: no executor module given (usage: worker-main.ts EXECUTOR_MODULE)');
    process.exit(64);
  }
  let executor: Executor;
  try {
    executor = await loadExecutor(executorPath);
  } catch (err) {
    // The stack first, the one-line reason last: the host quotes the last lines in the job's error.
    if (err instanceof Error && err.stack) console.error(err.stack);
    console.error(`worker-main: cannot load the executor ${executorPath}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(70);
  }
  const worker = new WorkerLoop(executor);
  transport.onMessage((raw) => worker.receive(raw));
  send({ v, type: 'ready', pid: process.pid });
}

class WorkerLoop {
  private preparedJob: number | null = null;
  /** Items and shutdown run strictly in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly mapRequests = new Map<number, (maps: { key: string; blob: Uint8Array }[]) => void>();
  private nextRequestId = 1;

  constructor(private readonly executor: Executor) {}

  receive(raw: unknown): void {
    const parsed = parseMessage(HostToWorkerMessageSchema, raw);
    if (!parsed.ok) {
      send({ v, type: 'log', jobId: null, level: 'error', message: `worker ignored a message: ${parsed.reason}` });
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'run-item':
        this.chain = this.chain.then(() => this.runItem(message));
        break;
      case 'maps-found': {
        const resolve = this.mapRequests.get(message.requestId);
        this.mapRequests.delete(message.requestId);
        resolve?.(message.maps);
        break;
      }
      case 'shutdown':
        this.chain = this.chain.then(() => this.shutdown());
        break;
    }
  }

  private async runItem(message: RunItemMessage): Promise<void> {
    const { jobId, spec, inputs, item, blobs } = message;
    const log = (level: LogLevel, text: string) => send({ v, type: 'log', jobId, level, message: text });
    const jobContext: JobContext = { jobId, inputs, log, ...(blobs ? { blobs } : {}) };
    const startedAt = new Date().toISOString();
    let stage: 'prepare' | 'item' = 'prepare';
    try {
      if (this.preparedJob !== jobId) {
        if (this.preparedJob !== null) {
          this.preparedJob = null;
          await this.executor.dispose();
        }
        await this.executor.prepare(spec, jobContext);
        this.preparedJob = jobId;
      }
      stage = 'item';
      const itemContext: ItemContext = {
        ...jobContext,
        item,
        progress: (fraction, note) =>
          send({ v, type: 'progress', jobId, itemKey: item.key, fraction: Math.min(1, Math.max(0, fraction)), ...(note === undefined ? {} : { note }) }),
        findStoredMaps: (keys) => this.findStoredMaps(keys),
      };
      const output = await this.executor.runItem(spec, item, itemContext);
      const result = toItemResult(spec, item, output);
      send({ v, type: 'item-done', jobId, itemKey: item.key, result, startedAt, finishedAt: new Date().toISOString() });
    } catch (err) {
      send({ v, type: 'item-failed', jobId, itemKey: item.key, message: describe(err), stage, ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) });
    }
  }

  private findStoredMaps(keys: readonly string[]): Promise<Map<string, DecodedMap>> {
    if (keys.length === 0) return Promise.resolve(new Map());
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      this.mapRequests.set(requestId, (maps) => resolve(new Map(maps.map((m) => [m.key, decodeMap(m.blob)]))));
      send({ v, type: 'find-maps', requestId, keys: [...keys] });
    });
  }

  private async shutdown(): Promise<void> {
    try {
      if (this.preparedJob !== null) await this.executor.dispose();
    } finally {
      process.exit(0);
    }
  }
}

/** Encodes maps (only for items the spec keeps maps for), fills defaults and validates what goes on the wire. */
function toItemResult(spec: JobSpec, item: WorkItem, output: ExecutorResult | undefined): ItemResult {
  // A sanity job that trains its pair has that as item 0, before the images: count images only.
  const imageOrdinal = spec.kind === 'sanity' && spec.train ? item.ordinal - 1 : item.ordinal;
  const keep = 'keepMaps' in spec ? keepsMaps(spec.keepMaps, imageOrdinal) : true;
  const maps = keep
    ? (output?.maps ?? []).map((m) => ({
        key: mapKeyFromProvenance(m.provenance, m.imageHash),
        imageId: m.imageId,
        imageHash: m.imageHash,
        blob: m.blob ?? encodeMap(m.values, m.height, m.width),
        provenance: m.provenance,
      }))
    : [];
  const candidate = {
    maps,
    reusedMapKeys: output?.reusedMapKeys ?? [],
    scores: output?.scores ?? [],
    similarities: output?.similarities ?? [],
    ...(output?.output === undefined ? {} : { output: output.output }),
    ...(output?.backend === undefined ? {} : { backend: output.backend }),
  };
  const r = ItemResultSchema.safeParse(candidate);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`the executor returned an invalid result for item ${item.key}: ${issues}`);
  }
  return r.data;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

await main();
