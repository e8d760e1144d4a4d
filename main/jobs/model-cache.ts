// Models loaded once per worker process, not once per job: a worker keeps the model of its last job (keyed by content
// hash, so a changed file is a different model) and hands it to the next job on the same model instead of reading,
// decoding and building it again (2.6 s for a 537 MB VGG-16 on wasm, more from a cold disk). The app and
// `dixw worker` keep their workers across jobs, so a session of jobs on one model loads it once per worker.
//
// A job takes a lease in prepare() and returns it in dispose(). A job that changed the model's weights in place (a
// sanity test's randomization not undone, a training step) returns it with { modified: true }: it is disposed, never
// handed out again. At most `maxModels` idle models stay loaded (default 1; the wasm heap is 4 GB for everything);
// idle ones are evicted before a different model is loaded, so two large models are never held for nothing.
import type { VisionModel } from '../engine/model/vision-model';

export interface ModelLease {
  readonly vm: VisionModel;
  /** True when the model came from the cache (not loaded for this lease). */
  readonly reused: boolean;
  /** Returns the model: kept for the next job, or disposed when `modified` (or evicted). Idempotent. */
  release(options?: { modified?: boolean }): void;
}

interface Entry { hash: string; vm: VisionModel; leased: boolean; lastUse: number }

export class ModelCache {
  private readonly entries: Entry[] = [];
  private clock = 0;

  constructor(private readonly maxModels = 1) {}

  /** The model with this content hash: the idle cached one, else `load()`ed (and cached when released). */
  async acquire(hash: string, load: () => Promise<VisionModel>): Promise<ModelLease> {
    const idle = this.entries.find((e) => e.hash === hash && !e.leased);
    if (idle) return this.lease(idle, true);
    // Make room first: idle models beyond what may stay, least recently used first.
    this.evict(this.maxModels - 1);
    const entry: Entry = { hash, vm: await load(), leased: false, lastUse: 0 };
    this.entries.push(entry);
    return this.lease(entry, false);
  }

  /** Models loaded now (leased or idle). */
  get size(): number {
    return this.entries.length;
  }

  /** Disposes every idle model (leased ones are disposed when released). */
  clear(): void {
    this.evict(0);
  }

  private lease(entry: Entry, reused: boolean): ModelLease {
    entry.leased = true;
    entry.lastUse = ++this.clock;
    let released = false;
    return {
      vm: entry.vm,
      reused,
      release: (options) => {
        if (released) return;
        released = true;
        entry.leased = false;
        if (options?.modified) this.drop(entry);
        else this.evict(this.maxModels);
      },
    };
  }

  private evict(keepIdle: number): void {
    const idle = this.entries.filter((e) => !e.leased).sort((a, b) => b.lastUse - a.lastUse);
    for (const e of idle.slice(Math.max(0, keepIdle))) this.drop(e);
  }

  private drop(entry: Entry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    entry.vm.dispose();
  }
}

/** The worker process's cache (DIXW_MODEL_CACHE=N models; 0 turns it off). */
export const workerModelCache = new ModelCache(Math.max(0, Number(process.env.DIXW_MODEL_CACHE ?? 1) || 0));
