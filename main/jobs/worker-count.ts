// How many engine worker processes run the items of one job. Measured on the 2-core reference machine (README,
// Benchmark): two single-threaded wasm workers give about twice the items per second of one, and more than the
// machine's cores only adds contention. Default: every core on CPU backends (divided by the wasm threads each worker
// runs, DIXW_WASM_THREADS), one per GPU on tensorflow-gpu and webgpu (each worker compiles its own shaders, and
// workers sharing one GPU queue on it). `--workers N` (DIXW_WORKERS) overrides it.
import os from 'node:os';

export interface WorkerCountOptions {
  env?: NodeJS.ProcessEnv;
  cpus?: number;
  /** The backend the workers will use, when known (DIXW_BACKEND otherwise). */
  backend?: string | null;
  /** GPUs on the machine (tensorflow-gpu): default 1. */
  gpus?: number;
}

/** A --workers value: a positive integer, or `auto`/empty for the default. */
export function parseWorkerCount(value: string | undefined, what = '--workers'): number | null {
  const v = value?.trim();
  if (!v || v === 'auto') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`${what} must be a positive integer or "auto" (got "${value}")`);
  return n;
}

export function defaultWorkerCount(o: WorkerCountOptions = {}): number {
  const env = o.env ?? process.env;
  const explicit = parseWorkerCount(env.DIXW_WORKERS, 'DIXW_WORKERS');
  if (explicit !== null) return explicit;
  const backend = o.backend ?? env.DIXW_BACKEND ?? null;
  if (backend === 'tensorflow-gpu' || backend === 'webgpu') return Math.max(1, o.gpus ?? 1);
  const cpus = Math.max(1, o.cpus ?? os.cpus().length);
  const threadsSetting = env.DIXW_WASM_THREADS?.trim();
  const threads = threadsSetting === 'auto' ? cpus : Math.max(1, Number(threadsSetting) || 1);
  return Math.max(1, Math.floor(cpus / threads));
}
