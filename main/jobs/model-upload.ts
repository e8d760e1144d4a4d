// A fleet worker's engine process hands a model it trained to the coordinator (shared/upload-protocol.ts): every file
// of the model folder is streamed (never held in memory whole) to the coordinator's file server with its sha256, then
// a commit names the model's content hash; the coordinator writes the model at the job's output folder only when the
// files it received have that hash. The engine process does it, not the fleet worker process, because it knows what
// it wrote and where, holds the coordinator's address already (it fetches from the same server), and so the item's
// result leaves the engine only once the model is stored at the coordinator.
//
// A request that fails on the network is tried again (network-retry.ts), as a whole new upload: a commit whose answer
// was lost may have placed the model already, and the coordinator then answers that the same model is present.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BLOB_PROTOCOL_VERSION as v, type BlobSource, type ModelManifest } from '../../shared/blob-protocol';
import { UPLOAD_SHA256_HEADER, UploadReceiptSchema, uploadPaths, type UploadCommit, type UploadReceipt, type UploadSlot } from '../../shared/upload-protocol';
import { partName } from './blob-fetcher';
import { NetworkError, RETRY_DELAYS_MS, withNetworkRetries } from './network-retry';

const short = (hash: string) => hash.slice(0, 12);

/** Where a fleet worker trains a model before it is uploaded: its own cache, not the coordinator's path (which may not exist here). */
export function trainingFolder(cacheDir: string, jobId: number, what: string): string {
  return partName(join(cacheDir, 'trained', `job-${jobId}-${what}`));
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The model folder's files with their sha256 and size (a trained model's folder is flat). */
export async function listModelFiles(dir: string): Promise<UploadCommit['files']> {
  const files: UploadCommit['files'] = [];
  for (const name of readdirSync(dir).sort()) {
    const stat = statSync(join(dir, name));
    if (!stat.isFile()) throw new Error(`the trained model folder ${dir} holds a folder (${name}); only files are uploaded`);
    files.push({ name, sha256: await fileSha256(join(dir, name)), size: stat.size });
  }
  return files;
}

/**
 * Uploads the model folder `dir`, whose content hash is `hash`, as the `slot` model of job `jobId`; resolves with the
 * coordinator's receipt (where the model now is there) once it verified and placed it. Throws the coordinator's reason.
 */
export async function uploadModel(source: BlobSource, jobId: number, slot: UploadSlot, dir: string, hash: string,
  retryDelaysMs: readonly number[] = RETRY_DELAYS_MS): Promise<{ receipt: UploadReceipt; files: UploadCommit['files'] }> {
  const files = await listModelFiles(dir);
  const receipt = await withNetworkRetries(async () => {
    const uploadId = randomBytes(8).toString('hex');
    for (const f of files) {
      await send(source, uploadPaths.file(jobId, slot, uploadId, f.name), `${f.name} of model ${short(hash)}`, {
        method: 'PUT', headers: { [UPLOAD_SHA256_HEADER]: f.sha256, 'content-type': 'application/octet-stream' },
        body: Readable.toWeb(createReadStream(join(dir, f.name))) as ReadableStream, duplex: 'half',
      });
    }
    const commit: UploadCommit = { v, hash, files };
    const res = await send(source, uploadPaths.commit(jobId, slot, uploadId), `the commit of model ${short(hash)}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(commit),
    });
    let json: unknown;
    try {
      json = await res.json();
    } catch (err) {
      throw new NetworkError(`the coordinator's answer to the commit of model ${short(hash)} was cut off (${(err as Error).message})`, { cause: err });
    }
    return UploadReceiptSchema.parse(json);
  }, retryDelaysMs);
  if (receipt.hash !== hash) throw new Error(`the coordinator stored model ${short(receipt.hash)} when sent ${short(hash)} (a bug)`);
  return { receipt, files };
}

/** One request: a NetworkError when it does not get through, a plain Error with the coordinator's reason when refused. */
async function send(source: BlobSource, path: string, what: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${source.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${source.token}` } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new NetworkError(`cannot send ${what} to the coordinator's file server at ${source.url} (${cause?.code ?? cause?.message ?? (err as Error).message})`, { cause: err });
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => '')).slice(0, 500);
  if (res.status === 401) throw new Error(`the coordinator's file server at ${source.url} refused this worker's token for ${what} (the coordinator restarted?)`);
  throw new Error(`the coordinator refused ${what}: ${text || `HTTP ${res.status}`}`);
}

/**
 * A model trained here for job `jobId` stored at the coordinator (upload, then the copy here joins the cache); its path
 * there. A failure says what happened, where the model stays on this worker and what to do.
 */
export async function storeAtCoordinator(blobs: BlobSource, jobId: number, slot: UploadSlot, dir: string, hash: string, coordinatorPath: string): Promise<string> {
  try {
    const { receipt, files } = await uploadModel(blobs, jobId, slot, dir, hash);
    keepUploaded(blobs.cacheDir, dir, hash, files);
    return receipt.path;
  } catch (err) {
    throw new Error(`the trained model (content hash ${short(hash)}) could not be stored at ${coordinatorPath} on the coordinator: ${(err as Error).message}. ` +
      `It stays on this worker in ${dir}: fix the cause and run the job again ("dixw jobs retry ${jobId}" on the coordinator), or copy that folder to the coordinator and register it with "dixw model add".`, { cause: err });
  }
}

/**
 * After the upload: the worker's copy joins its cache of models by content hash (blob-fetcher.ts layout), so a later
 * item here that needs this model by its hash does not fetch it back. Returns where it is now.
 */
export function keepUploaded(cacheDir: string, dir: string, hash: string, files: UploadCommit['files']): string {
  const target = join(cacheDir, 'models', hash);
  mkdirSync(join(cacheDir, 'models'), { recursive: true });
  if (existsSync(target)) {
    rmSync(dir, { recursive: true, force: true }); // the same model is cached already
    return target;
  }
  renameSync(dir, target);
  const manifest: ModelManifest = { v, hash, entry: null, files };
  writeFileSync(`${target}.json`, JSON.stringify(manifest));
  return target;
}
