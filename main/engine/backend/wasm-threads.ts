// The multi-threaded wasm backend in Node. TF.js hard-codes WASM_HAS_MULTITHREAD_SUPPORT to false in Node (tfjs issue
// 3830): emscripten starts its pthread workers from blob: URLs, which worker_threads rejects, and the main script it
// posts to them is a Blob whose text refers to names hoisted by the bundler. This shim, taken from
// shared/reference/tfjs-on-this-machine.md Sec. 1.1 and pinned to tfjs-backend-wasm 4.22.0:
//   1. remembers the text of Blobs made from strings;
//   2. turns their object URLs into temporary files;
//   3. rewrites the Blob posted to each pthread worker into such a file, prefixed with the bundle's hoisted requires;
//   4. reports 2 x n CPUs while the module starts (its C++ side caps the pool at logical cores / 2);
//   5. unref()s the pthread workers so that they never keep a finished process alive.
// enableWasmThreads() must run before tf.setBackend('wasm') and its done() right after it; the globals it patches for
// the start (Blob, URL.createObjectURL, os.cpus) are restored by done(), except Worker.prototype.postMessage, which
// stays patched for workers started later (emscripten may add one) and only touches emscripten's 'load' message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { tf } from '../tf';

type TextBlob = Blob & { dixText?: string | null };
interface PThreadLike { unusedWorkers: Worker[]; runningWorkers: Worker[] }

/** Threads for the wasm backend from DIXW_WASM_THREADS: a positive integer, or `auto` for every core; null = off. */
export function wasmThreadsSetting(env: NodeJS.ProcessEnv = process.env): number | null {
  const v = env.DIXW_WASM_THREADS?.trim();
  if (!v || v === '0' || v === '1' || v === 'off') return null;
  if (v === 'auto') return os.cpus().length > 1 ? os.cpus().length : null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`DIXW_WASM_THREADS must be a positive integer or "auto" (got "${v}")`);
  return n > 1 ? n : null;
}

let postMessagePatched = false;
const fileFor = new WeakMap<Blob, string>();
let tempDir: string | null = null;
let counter = 0;

function fileOf(blob: TextBlob): string {
  const known = fileFor.get(blob);
  if (known) return known;
  if (!tempDir) {
    tempDir = mkdtempSync(join(os.tmpdir(), 'dixw-wasm-'));
    const dir = tempDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  let text = blob.dixText ?? '';
  // The pthread main script is the threaded factory's source, which refers to the bundle's hoisted requires.
  if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
    text = "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks'),require$$4=require('os')," +
      'commonjsGlobal=globalThis;' + text;
  }
  const file = join(tempDir, `blob${counter++}.js`);
  writeFileSync(file, text);
  fileFor.set(blob, file);
  return file;
}

/**
 * Prepares the wasm backend to start with `threads` threads. Call before tf.setBackend('wasm') (the backend must not
 * have been initialised yet in this process) and call the returned function right after it.
 */
export function enableWasmThreads(wasmModule: { setThreadsCount(n: number): void }, threads: number): () => void {
  const NativeBlob = globalThis.Blob;
  class RecordingBlob extends NativeBlob {
    dixText: string | null;
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      this.dixText = parts && parts.every((p) => typeof p === 'string') ? (parts as string[]).join('') : null;
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  const nativeCreate = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob) => ((obj as TextBlob).dixText != null ? fileOf(obj as TextBlob) : nativeCreate(obj));
  if (!postMessagePatched) {
    const nativePost = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
      const m = message as { cmd?: string; urlOrBlob?: TextBlob } | null;
      if (m && m.cmd === 'load' && m.urlOrBlob && m.urlOrBlob.dixText != null) message = { ...m, urlOrBlob: fileOf(m.urlOrBlob) };
      return (nativePost as (...a: unknown[]) => void).call(this, message, ...rest);
    };
    postMessagePatched = true;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmModule.setThreadsCount(threads);
  const nativeCpus = os.cpus;
  (os as { cpus: typeof os.cpus }).cpus = () => {
    const cpus = nativeCpus();
    while (cpus.length < 2 * threads) cpus.push(cpus[0]);
    return cpus;
  };
  return () => {
    (os as { cpus: typeof os.cpus }).cpus = nativeCpus;
    globalThis.Blob = NativeBlob;
    URL.createObjectURL = nativeCreate;
    unrefPthreads();
  };
}

/** Idle pthread workers hold the event loop; a worker started later is unref'd by the next call. */
export function unrefPthreads(): void {
  const b = tf.findBackend('wasm') as unknown as { wasm?: { PThread?: PThreadLike } } | null;
  const p = b?.wasm?.PThread;
  if (p) for (const w of [...p.unusedWorkers, ...p.runningWorkers]) w.unref();
}

/** The wasm backend's thread count (1 when it runs single-threaded). */
export function wasmThreadsCount(wasmModule: { getThreadsCount(): number }): number {
  return wasmModule.getThreadsCount();
}
