// The main process's side of one worker: starts it, sends one item at a time, answers map look-ups, and turns every
// way an item can end (result, executor error, process death) into one ItemOutcome.
import { WORKER_PROTOCOL_VERSION as v, WorkerToHostMessageSchema, parseMessage, type ItemDoneMessage, type LogLevel, type RunItemMessage } from '../../shared/worker-protocol';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from './worker-launcher';

export type ItemOutcome =
  | { type: 'done'; message: ItemDoneMessage }
  /** The executor threw, or the worker broke the protocol: fails the job. */
  | { type: 'failed'; message: string; stage?: 'prepare' | 'item' }
  /** The process died (or never became ready): the item may be retried. */
  | { type: 'crashed'; cause: string };

export interface WorkerHostOptions {
  launcher: WorkerLauncher;
  executorPath: string;
  readyTimeoutMs: number;
  /**
   * An item whose worker sends nothing (no progress, log or output) for this long is ended as a crash and its process
   * killed, so that one hung item (e.g. an output path that never resolves) cannot hold the queue forever.
   */
  itemSilenceMs: number;
  findMapBlobs(keys: readonly string[]): { key: string; blob: Uint8Array }[];
  onLog(jobId: number | null, level: LogLevel, message: string): void;
  onProgress(jobId: number, itemKey: string, fraction: number, note: string | undefined): void;
}

const OUTPUT_TAIL_LINES = 20;

export class WorkerHost {
  private readonly proc: WorkerProcess;
  private readonly ready: Promise<void>;
  private alive = true;
  private exitCause: string | null = null;
  private current: { jobId: number; itemKey: string; resolve: (o: ItemOutcome) => void } | null = null;
  private readonly outputTail: string[] = [];
  private exited: Promise<void>;
  private lastSign = Date.now();
  private silence: NodeJS.Timeout | null = null;

  constructor(private readonly options: WorkerHostOptions) {
    this.proc = options.launcher.launch(options.executorPath);
    let markExited!: () => void;
    this.exited = new Promise((r) => (markExited = r));
    let onReady!: () => void;
    let onNotReady!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onNotReady = reject;
    });
    this.ready.catch(() => undefined); // observed by runItem
    const timer = setTimeout(() => {
      onNotReady(new Error(`the worker process did not become ready within ${options.readyTimeoutMs} ms${this.tailText()}`));
      this.kill();
    }, options.readyTimeoutMs);
    this.proc.onOutput((line, stream) => {
      this.lastSign = Date.now();
      this.outputTail.push(line);
      if (this.outputTail.length > OUTPUT_TAIL_LINES) this.outputTail.shift();
      options.onLog(this.current?.jobId ?? null, stream === 'stderr' ? 'warn' : 'info', `worker: ${line}`);
    });
    this.proc.onMessage((raw) => {
      this.lastSign = Date.now();
      const parsed = parseMessage(WorkerToHostMessageSchema, raw);
      if (!parsed.ok) {
        this.finishCurrent({ type: 'failed', message: `the worker sent an invalid message (${parsed.reason})` });
        this.kill();
        return;
      }
      const m = parsed.message;
      switch (m.type) {
        case 'ready':
          clearTimeout(timer);
          onReady();
          break;
        case 'item-done':
        case 'item-failed':
          if (!this.current || m.jobId !== this.current.jobId || m.itemKey !== this.current.itemKey) {
            options.onLog(m.jobId, 'warn', `ignored a result for item ${m.itemKey} of job ${m.jobId}, which is not the item in progress`);
            return;
          }
          this.finishCurrent(m.type === 'item-done' ? { type: 'done', message: m } : { type: 'failed', message: m.message, stage: m.stage });
          break;
        case 'progress':
          options.onProgress(m.jobId, m.itemKey, m.fraction, m.note);
          break;
        case 'log':
          options.onLog(m.jobId, m.level, m.message);
          break;
        case 'find-maps': {
          let maps: { key: string; blob: Uint8Array }[] = [];
          try {
            maps = options.findMapBlobs(m.keys);
          } catch (err) {
            options.onLog(this.current?.jobId ?? null, 'warn', `looking up stored maps failed: ${(err as Error).message}`);
          }
          this.proc.send({ v, type: 'maps-found', requestId: m.requestId, maps });
          break;
        }
      }
    });
    this.proc.onExit((exit) => {
      clearTimeout(timer);
      this.alive = false;
      this.exitCause = `the worker process ${describeExit(exit)}${this.tailText()}`;
      onNotReady(new Error(`the worker process ${describeExit(exit)} before it was ready${this.tailText()}`));
      this.finishCurrent({ type: 'crashed', cause: this.exitCause });
      markExited();
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Resolves when the process is ready, or rejects with why it is not. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Sends one item and resolves when it ends, whichever way. One item at a time. */
  async runItem(message: RunItemMessage): Promise<ItemOutcome> {
    if (this.current) throw new Error('WorkerHost.runItem: an item is already in progress'); // a scheduler bug
    try {
      await this.ready;
    } catch (err) {
      return { type: 'crashed', cause: (err as Error).message };
    }
    if (!this.alive) return { type: 'crashed', cause: this.exitCause ?? 'the worker process is gone' };
    return new Promise<ItemOutcome>((resolve) => {
      this.current = { jobId: message.jobId, itemKey: message.item.key, resolve };
      this.lastSign = Date.now();
      const limit = this.options.itemSilenceMs;
      this.silence = setInterval(() => {
        if (Date.now() - this.lastSign < limit) return;
        this.finishCurrent({ type: 'crashed', cause: `the worker gave no sign of life for ${formatSilence(limit)} while running item ${message.item.key} (a hung item); it was stopped` });
        this.kill();
      }, Math.max(50, Math.min(10_000, limit / 4)));
      this.silence.unref();
      this.proc.send(message);
    });
  }

  /** Kills the process; the host is unusable from now on (its exit is still reported). */
  kill(): void {
    this.alive = false;
    this.proc.kill();
  }

  /** Asks the worker to dispose and exit; kills it if it has not within timeoutMs. */
  async shutdown(timeoutMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.proc.send({ v, type: 'shutdown' });
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private finishCurrent(outcome: ItemOutcome): void {
    if (this.silence) clearInterval(this.silence);
    this.silence = null;
    const c = this.current;
    this.current = null;
    c?.resolve(outcome);
  }

  private tailText(): string {
    const lines = this.outputTail.filter((l) => l.trim() !== '');
    return lines.length === 0 ? '' : `; its last output: ${lines.slice(-5).join(' | ')}`;
  }
}

function formatSilence(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

function describeExit(exit: WorkerExit): string {
  if (exit.signal) return `was killed by signal ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'could not be started';
}
