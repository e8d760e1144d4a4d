// The coordinator's side of a trained model's upload (shared/upload-protocol.ts): a fleet worker trained a model on its
// own machine and streams its files here; they are written into a session folder beside the job's output folder (the
// same disk, so the final rename is atomic), each file checked against its sha256 as it arrives. On commit the session
// folder's content hash (modelHash, as the store computes it) must equal the hash the worker reports; only then is it
// renamed to the output folder. An existing different model there is never replaced unless the job asked for it
// (--force); the same model there already is accepted (a retried item). Nothing is written where no job of this
// coordinator puts a model: the worker names a job and a slot, never a path.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import type { JobRecord } from '../../../shared/store-types';
import { BLOB_PROTOCOL_VERSION as v } from '../../../shared/blob-protocol';
import type { UploadCommit, UploadReceipt, UploadSlot } from '../../../shared/upload-protocol';
import { trainedPairPaths } from '../trained-pair-paths';

const short = (hash: string) => hash.slice(0, 12);

/** Where one of a job's models goes, and whether the job may replace a different model there. */
interface Target {
  path: string;
  overwrite: boolean;
}

interface Session {
  dir: string;
  target: Target;
  /** Files received and verified: name -> sha256 and size. */
  files: Map<string, { sha256: string; size: number }>;
}

/** A refusal the worker should see as is (HTTP status and a message saying what and what to do). */
export class UploadRefused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The output models of a job, by slot (none: the job writes no model). */
export function uploadTargets(job: Pick<JobRecord, 'spec'>): Partial<Record<UploadSlot, Target>> {
  const spec = job.spec;
  if (spec.kind === 'train') return { model: { path: spec.out, overwrite: spec.overwrite === true } };
  if (spec.kind === 'sanity' && spec.train?.out) {
    // The pair's folder is named by its recipe and trained again identically on purpose; a local run writes over it too.
    const { trueModel, randomModel } = trainedPairPaths(spec.train.out);
    return { 'true-labels': { path: trueModel, overwrite: true }, 'random-labels': { path: randomModel, overwrite: true } };
  }
  return {};
}

export class ModelReceiver {
  /** Job id -> its output models (jobs this coordinator has claimed). */
  private readonly targets = new Map<number, Partial<Record<UploadSlot, Target>>>();
  private readonly sessions = new Map<string, Session>();

  /**
   * A claimed job's output models may be uploaded from now on. Session folders beside them that no upload of this
   * process is writing (a coordinator that stopped mid-upload: its token is gone, so they can never be committed) go.
   */
  expect(job: Pick<JobRecord, 'id' | 'spec'>): void {
    const targets = uploadTargets(job);
    this.targets.set(job.id, targets);
    const active = new Set([...this.sessions.values()].map((s) => s.dir));
    for (const target of Object.values(targets)) {
      const prefix = `${basename(target.path)}.`;
      const stale = (name: string) => name.startsWith(prefix) && /^[0-9a-f]{16}\.part$/.test(name.slice(prefix.length));
      let names: string[];
      try {
        names = readdirSync(dirname(target.path));
      } catch {
        continue; // no parent folder yet: nothing left there
      }
      for (const name of names) {
        const dir = join(dirname(target.path), name);
        if (stale(name) && !active.has(dir)) rmSync(dir, { recursive: true, force: true });
      }
    }
  }

  /** Streams one file into the session folder; refused (and nothing kept) when its bytes do not have `sha256`. */
  async receiveFile(jobId: number, slot: UploadSlot, uploadId: string, name: string, sha256: string, body: Readable): Promise<void> {
    const session = this.session(jobId, slot, uploadId);
    const file = join(session.dir, name);
    const part = `${file}.${randomBytes(4).toString('hex')}.part`;
    const h = createHash('sha256');
    let size = 0;
    const hashing = new Transform({ transform: (chunk: Buffer, _enc, done) => (h.update(chunk), (size += chunk.length), done(null, chunk)) });
    try {
      await pipeline(body, hashing, createWriteStream(part));
    } catch (err) {
      rmSync(part, { force: true });
      throw new UploadRefused(400, `the upload of ${name} was cut off (${(err as Error).message}); nothing of it was kept`);
    }
    const got = h.digest('hex');
    if (got !== sha256) {
      rmSync(part, { force: true });
      throw new UploadRefused(422, `refused ${name}: its bytes have sha256 ${short(got)}, not the ${short(sha256)} the worker sent with it (altered on the way?); nothing of it was kept`);
    }
    renameSync(part, file);
    session.files.set(name, { sha256, size });
  }

  /** Checks the uploaded folder against the reported content hash and puts it at the job's output folder. */
  async commit(jobId: number, slot: UploadSlot, uploadId: string, request: UploadCommit): Promise<UploadReceipt> {
    const key = sessionKey(jobId, slot, uploadId);
    const session = this.sessions.get(key);
    if (!session) throw new UploadRefused(409, `no files were uploaded for the ${slot} of job ${jobId} in upload ${uploadId}; nothing was written`);
    this.sessions.delete(key);
    const { dir, target } = session;
    // Loaded on the first upload only: it brings the model loaders, which a coordinator otherwise never needs.
    const { modelHash } = await import('../../engine/model/load-model');
    try {
      const names = new Set(request.files.map((f) => f.name));
      for (const f of request.files) {
        const got = session.files.get(f.name);
        if (!got || got.sha256 !== f.sha256 || got.size !== f.size) throw new UploadRefused(409, `the model's file ${f.name} did not arrive as listed; nothing was written at ${target.path}`);
      }
      const extra = [...session.files.keys()].filter((n) => !names.has(n));
      if (extra.length) throw new UploadRefused(409, `files arrived that the model does not list (${extra.join(', ')}); nothing was written at ${target.path}`);
      let got: string;
      try {
        got = modelHash(dir);
      } catch (err) {
        throw new UploadRefused(422, `the uploaded files do not make a model that can be read (${(err as Error).message}); nothing was written at ${target.path}`);
      }
      if (got !== request.hash) {
        throw new UploadRefused(422, `refused the ${slot} of job ${jobId}: the uploaded files have content hash ${short(got)}, not the ${short(request.hash)} the worker reported; nothing was written at ${target.path}`);
      }
      const placed = place(dir, target, got, modelHash);
      return { v, path: target.path, hash: got, placed };
    } finally {
      rmSync(dir, { recursive: true, force: true }); // renamed away when it was placed
    }
  }

  private session(jobId: number, slot: UploadSlot, uploadId: string): Session {
    const key = sessionKey(jobId, slot, uploadId);
    let session = this.sessions.get(key);
    if (session) return session;
    const target = this.targets.get(jobId)?.[slot];
    if (!target) throw new UploadRefused(404, `job ${jobId} of this coordinator writes no "${slot}" model (not claimed here, or of another kind); nothing was written`);
    const dir = `${target.path}.${uploadId}.part`;
    mkdirSync(dir, { recursive: true });
    session = { dir, target, files: new Map() };
    this.sessions.set(key, session);
    return session;
  }
}

function sessionKey(jobId: number, slot: UploadSlot, uploadId: string): string {
  return `${jobId}/${slot}/${uploadId}`;
}

/** Renames the verified folder to the output folder: 'present' when the same model is there already. */
function place(dir: string, target: Target, hash: string, modelHash: (path: string) => string): 'written' | 'present' {
  const out = target.path;
  mkdirSync(dirname(out), { recursive: true });
  if (!existsSync(out)) {
    try {
      renameSync(dir, out);
      return 'written';
    } catch (err) {
      if (!existsSync(out)) throw err;
      // Another upload of the same item placed its model first: compared below.
    }
  }
  if (!statSync(out).isDirectory()) throw new UploadRefused(409, `${out} is a file; the trained model was not written. Move it away and run the job again.`);
  if (readdirSync(out).length === 0) {
    rmSync(out, { recursive: true });
    renameSync(dir, out);
    return 'written';
  }
  let there: string | null;
  try {
    there = modelHash(out);
  } catch {
    there = null;
  }
  if (there === hash) return 'present';
  if (there === null || !target.overwrite) {
    throw new UploadRefused(409, `${out} already holds ${there === null ? 'other files' : `a different model (content hash ${short(there)})`}; the trained model (${short(hash)}) was not written and nothing there was changed. ` +
      'Move that folder away (or queue the job with --force to replace a model), then run the job again.');
  }
  // Replacing a model the job was allowed to replace: the old one moves aside first, and back if the new one cannot go in.
  const old = `${out}.${randomBytes(4).toString('hex')}.old`;
  renameSync(out, old);
  try {
    renameSync(dir, out);
  } catch (err) {
    renameSync(old, out);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
  return 'written';
}
