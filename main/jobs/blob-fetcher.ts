// A fleet worker's engine process fetches what it does not find at the coordinator's path: files by sha256 from the
// coordinator's file server (main/jobs/fleet/blob-server.ts), verified before they are kept, in a content-addressed
// cache that later jobs reuse:
//   CACHE/blobs/SHA256          one file's bytes, kept only once its sha256 matched
//   CACHE/models/HASH/ (+.json) a model assembled from its manifest's files, kept only once its content hash
//                               (load-model.ts modelHash, as the store computed it at registration) matched
//   CACHE/datasets/HASH.json    a dataset's manifest, kept only once it hashed (as dataset-folder.ts does) to HASH
//   CACHE/dataset-folders/HASH/ a whole dataset's folder, for training (dataset-copy.ts), kept only once it indexed to HASH
// Something that does not match is refused with what was expected and what came, and nothing of it is kept.
// A request that fails on the network is tried again a few times (network-retry.ts); a refusal or a mismatch is not.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { blobPaths, DatasetManifestSchema, ModelManifestSchema, type BlobSource, type DatasetManifest } from '../../shared/blob-protocol';
import { modelHash } from '../engine/model/load-model';
import { cachedModelHash } from './hash-cache';
import { NetworkError, RETRY_DELAYS_MS, withNetworkRetries } from './network-retry';

const short = (hash: string) => hash.slice(0, 12);
/** A unique name beside `path` to write into before renaming it into place. */
export const partName = (path: string) => `${path}.${process.pid}-${randomBytes(4).toString('hex')}.part`;

/** The dataset's content hash from its manifest: the same lines, in the same order, as dataset-folder.ts hashEntries. */
export function datasetManifestHash(entries: DatasetManifest['entries']): string {
  const h = createHash('sha256');
  const sorted = [...entries].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  for (const e of sorted) h.update(`${e.relPath}\t${e.sha256}\t${e.label ?? ''}\t${e.mask?.sha256 ?? ''}\n`);
  return h.digest('hex');
}

export class BlobFetcher {
  /** Verified dataset manifests by content hash, by image path, for the items of this process. */
  private readonly datasets = new Map<string, Map<string, DatasetManifest['entries'][number]>>();

  /** `retryDelaysMs`: the pauses between attempts of a fetch that failed on the network (network-retry.ts). */
  constructor(private readonly source: BlobSource, private readonly retryDelaysMs: readonly number[] = RETRY_DELAYS_MS) {}

  /** This machine's cache folder for what is fetched. */
  get cacheDir(): string {
    return this.source.cacheDir;
  }

  /** The coordinator's file server, for messages. */
  get url(): string {
    return this.source.url;
  }

  /** A local file with these bytes: cached, else fetched and verified. `what` names it in errors. */
  async blob(sha256: string, what: string): Promise<string> {
    const target = join(this.source.cacheDir, 'blobs', sha256);
    if (existsSync(target)) return target;
    mkdirSync(join(this.source.cacheDir, 'blobs'), { recursive: true });
    return withNetworkRetries(() => this.fetchBlob(sha256, what, target), this.retryDelaysMs);
  }

  /** One attempt at a file: a cut transfer is a NetworkError (tried again), a wrong hash is not. */
  private async fetchBlob(sha256: string, what: string, target: string): Promise<string> {
    const res = await this.get(blobPaths.blob(sha256), what);
    const part = partName(target);
    const h = createHash('sha256');
    const hashing = new Transform({ transform: (chunk: Buffer, _enc, done) => (h.update(chunk), done(null, chunk)) });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), hashing, createWriteStream(part));
    } catch (err) {
      rmSync(part, { force: true });
      throw new NetworkError(`fetching ${what} from the coordinator at ${this.source.url} was cut off (${(err as Error).message}); nothing was kept`, { cause: err });
    }
    const got = h.digest('hex');
    if (got !== sha256) {
      rmSync(part, { force: true });
      throw new Error(`refused ${what} from the coordinator at ${this.source.url}: its content hash is ${short(got)}, not ${short(sha256)} ` +
        '(the file changed there since it was registered, or was altered on the way); nothing was kept');
    }
    renameSync(part, target); // atomic: another engine process sees the whole verified file or none
    return target;
  }

  /** A local copy of the model with this content hash: the path to give loadVisionModel. */
  async model(hash: string): Promise<string> {
    const dir = join(this.source.cacheDir, 'models', hash);
    const cached = this.cachedModel(hash, dir);
    if (cached) return cached;
    const manifest = ModelManifestSchema.parse(await this.getJson(blobPaths.model(hash), `model ${short(hash)}`));
    if (manifest.hash !== hash) throw new Error(`the coordinator at ${this.source.url} answered for model ${short(manifest.hash)} when asked for ${short(hash)}`);
    const part = partName(dir);
    mkdirSync(part, { recursive: true });
    try {
      for (const f of manifest.files) {
        if (f.name.includes('/') || f.name.includes('\\') || f.name === '..' || f.name === '.') throw new Error(`the coordinator listed a model file named "${f.name}"; refused`);
        const blob = await this.blob(f.sha256, `${f.name} of model ${short(hash)}`);
        try {
          linkSync(blob, join(part, f.name));
        } catch {
          copyFileSync(blob, join(part, f.name)); // another file system, or links not allowed
        }
      }
      const got = modelHash(manifest.entry ? join(part, manifest.entry) : part);
      if (got !== hash) {
        throw new Error(`refused model ${short(hash)} from the coordinator at ${this.source.url}: its files have content hash ${short(got)}, not ${short(hash)} ` +
          '(they changed there since the model was registered); it was not kept');
      }
      mkdirSync(join(this.source.cacheDir, 'models'), { recursive: true });
      try {
        renameSync(part, dir);
      } catch {
        if (!existsSync(dir)) throw new Error(`cannot keep the fetched model in ${dir}`);
        // Another engine process kept the same model first.
      }
      writeFileSync(`${dir}.json`, JSON.stringify(manifest));
    } finally {
      rmSync(part, { recursive: true, force: true });
    }
    return manifest.entry ? join(dir, manifest.entry) : dir;
  }

  /** One image's entry in the verified manifest of the dataset with this content hash (undefined: not in it). */
  async datasetEntry(hash: string, relPath: string): Promise<DatasetManifest['entries'][number] | undefined> {
    let byPath = this.datasets.get(hash);
    if (!byPath) {
      byPath = new Map((await this.dataset(hash)).entries.map((e) => [e.relPath, e]));
      this.datasets.set(hash, byPath);
    }
    return byPath.get(relPath);
  }

  /** The manifest of the dataset with this content hash, verified against the hash. */
  async dataset(hash: string): Promise<DatasetManifest> {
    const file = join(this.source.cacheDir, 'datasets', `${hash}.json`);
    if (existsSync(file)) {
      const kept = DatasetManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (kept.success && datasetManifestHash(kept.data.entries) === hash) return kept.data;
    }
    const manifest = DatasetManifestSchema.parse(await this.getJson(blobPaths.dataset(hash), `dataset ${short(hash)}`));
    const got = datasetManifestHash(manifest.entries);
    if (got !== hash) {
      throw new Error(`refused the index of dataset ${short(hash)} from the coordinator at ${this.source.url}: it hashes to ${short(got)}, not ${short(hash)} ` +
        '(the dataset was re-indexed there since the job was queued); nothing was kept');
    }
    mkdirSync(join(this.source.cacheDir, 'datasets'), { recursive: true });
    const part = partName(file);
    writeFileSync(part, JSON.stringify(manifest));
    renameSync(part, file);
    return manifest;
  }

  /** A model kept earlier, if its files still have its content hash (a damaged cache entry is fetched again). */
  private cachedModel(hash: string, dir: string): string | null {
    if (!existsSync(dir) || !existsSync(`${dir}.json`)) return null;
    try {
      const { entry } = ModelManifestSchema.parse(JSON.parse(readFileSync(`${dir}.json`, 'utf8')));
      const path = entry ? join(dir, entry) : dir;
      if (cachedModelHash(path, modelHash) === hash) return path;
    } catch {
      // Unreadable: fetched again below.
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.json`, { force: true });
    return null;
  }

  /** A manifest, tried again when the request or its answer is cut off on the network. */
  private getJson(path: string, what: string): Promise<unknown> {
    return withNetworkRetries(async () => {
      const res = await this.get(path, what);
      try {
        return (await res.json()) as unknown;
      } catch (err) {
        throw new NetworkError(`the index of ${what} from the coordinator at ${this.source.url} was cut off (${(err as Error).message})`, { cause: err });
      }
    }, this.retryDelaysMs);
  }

  /** One request: a NetworkError when it does not get through, a plain Error when the server refuses it. */
  private async get(path: string, what: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.source.url}${path}`, { headers: { authorization: `Bearer ${this.source.token}` } });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new NetworkError(`cannot reach the coordinator's file server at ${this.source.url} for ${what} (${cause?.code ?? cause?.message ?? (err as Error).message}); ` +
        'it listens on 127.0.0.1 unless the coordinator was started with --blob-host ADDRESS (e.g. 0.0.0.0)', { cause: err });
    }
    if (res.ok) return res;
    const text = (await res.text().catch(() => '')).slice(0, 300);
    if (res.status === 401) throw new Error(`the coordinator's file server at ${this.source.url} refused this worker's token for ${what} (the coordinator restarted?)`);
    throw new Error(`the coordinator's file server at ${this.source.url} has no ${what}: ${text || `HTTP ${res.status}`}`);
  }
}

const fetchers = new Map<string, BlobFetcher>();

/** The fetcher for a job's source (null: a local job, or a coordinator that serves no files). */
export function blobFetcher(source: BlobSource | null | undefined): BlobFetcher | null {
  if (!source) return null;
  const key = `${source.url}\n${source.token}\n${source.cacheDir}`;
  let f = fetchers.get(key);
  if (!f) fetchers.set(key, (f = new BlobFetcher(source)));
  return f;
}
