// A model's content hash without re-reading it when nothing changed. Hashing a 537 MB VGG-16 reads every byte
// (0.7 s from the page cache, several seconds from disk), and a command did it up to three times: registration,
// the check that the registered model is unchanged, and the worker's own check before it loads the model.
//
// The cache remembers, per model path, the hash together with a fingerprint of the files it was computed from: for a
// folder every regular file in it, for a file that file and its siblings sharing its name stem (an ONNX model's
// external data and preprocessing sidecar); per file its size, mtime and ctime in nanoseconds and inode. Any write,
// rename or replacement changes the fingerprint (as git's index relies on), and then the hash is computed again.
// The cache is a small JSON file (DIXW_CACHE_DIR, else $XDG_CACHE_HOME/dix-workbench, else ~/.cache/dix-workbench),
// shared by the command and its worker processes; a missing or corrupt cache only costs a re-hash.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';

const CACHE_FILE = 'model-hashes.json';
const MAX_ENTRIES = 200;

interface Entry { fingerprint: string; hash: string; at: number }

export function hashCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DIXW_CACHE_DIR) return resolve(env.DIXW_CACHE_DIR);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'dix-workbench');
}

function fingerprintFile(file: string): string | null {
  try {
    const s = statSync(file, { bigint: true });
    if (!s.isFile()) return null;
    return `${basename(file)}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
  } catch {
    return null;
  }
}

/** The files a model path's hash depends on (a folder's regular files, or a file and its siblings sharing its name stem), sorted; null when the path cannot be read. */
export function modelFiles(path: string): string[] | null {
  const p = resolve(path);
  try {
    if (statSync(p).isDirectory()) return readdirSync(p).map((f) => join(p, f)).sort();
    const stem = basename(p, extname(p));
    return readdirSync(dirname(p)).filter((f) => f === basename(p) || f.startsWith(`${stem}.`)).map((f) => join(dirname(p), f)).sort();
  } catch {
    return null;
  }
}

/** The files a model path's hash depends on, fingerprinted; null when the path cannot be read. */
export function modelFingerprint(path: string): string | null {
  const files = modelFiles(path);
  if (files === null) return null;
  const parts = files.map(fingerprintFile).filter((x): x is string => x !== null);
  return parts.length === 0 ? null : parts.join('|');
}

function readCache(file: string): Record<string, Entry> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, Entry>) : {};
  } catch {
    return {};
  }
}

function writeCache(dir: string, entries: Record<string, Entry>): void {
  try {
    mkdirSync(dir, { recursive: true });
    const kept = Object.entries(entries).sort((a, b) => b[1].at - a[1].at).slice(0, MAX_ENTRIES);
    const tmp = join(dir, `${CACHE_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(kept)));
    renameSync(tmp, join(dir, CACHE_FILE)); // atomic: a concurrent reader sees the old or the new file
  } catch {
    // A read-only home or a full disk: the hash is still right, only not remembered.
  }
}

export interface CachedHashOptions {
  env?: NodeJS.ProcessEnv;
  /** Called with true when the hash came from the cache (for tests and timing logs). */
  onLookup?: (hit: boolean) => void;
}

/** `compute(path)` (e.g. load-model.ts modelHash), or its remembered result while the model's files are unchanged. */
export function cachedModelHash(path: string, compute: (path: string) => string, o: CachedHashOptions = {}): string {
  const key = resolve(path);
  const dir = hashCacheDir(o.env);
  const before = modelFingerprint(key);
  if (before !== null) {
    const hit = readCache(join(dir, CACHE_FILE))[key];
    if (hit && hit.fingerprint === before) {
      o.onLookup?.(true);
      return hit.hash;
    }
  }
  o.onLookup?.(false);
  const hash = compute(path);
  // Remembered only if nothing changed while it was being read.
  if (before !== null && modelFingerprint(key) === before) {
    const entries = readCache(join(dir, CACHE_FILE));
    entries[key] = { fingerprint: before, hash, at: Date.now() };
    writeCache(dir, entries);
  }
  return hash;
}
