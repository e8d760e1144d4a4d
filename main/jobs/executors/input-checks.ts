// Before a job computes anything: the inputs it was queued with must still be what they were. A model whose files
// changed would produce maps that contradict their provenance, and a dataset folder that is gone cannot be read.
// On a fleet worker (a job with a blob source) what is not found at the coordinator's path is fetched by content hash.
import { existsSync, statSync } from 'node:fs';
import type { JobInputs } from '../../../shared/job-spec';
import { indexDatasetFolder } from '../../engine/data/dataset-folder';
import { modelHash } from '../../engine/model/load-model';
import type { BlobFetcher } from '../blob-fetcher';
import { fetchDatasetFolder, folderHash } from '../dataset-copy';
import { cachedModelHash } from '../hash-cache';

export type ModelInput = NonNullable<JobInputs['model']>;
export type DatasetInput = NonNullable<JobInputs['dataset']>;

const short = (hash: string) => hash.slice(0, 12);
const modelName = (m: ModelInput) => (m.id === null ? `the model folder ${m.path}` : `model ${m.id} (${m.path})`);
const datasetName = (d: DatasetInput) => (d.id === null ? `the dataset folder ${d.root}` : `dataset ${d.id} (${d.root})`);

/** The model as registered, or a clear reason why the job cannot use it. */
export function requireUnchangedModel(inputs: JobInputs): ModelInput {
  const m = inputs.model;
  if (!m) throw new Error('this job has no model among its inputs; it was queued without one (a bug in the caller)');
  if (!existsSync(m.path)) {
    throw new Error(`${modelName(m)} is gone: ${m.path} no longer exists. Restore it, or register the model's new location with "dixw model add DIR" and submit the job again.`);
  }
  let now: string;
  try {
    now = cachedModelHash(m.path, modelHash);
  } catch (err) {
    throw new Error(`${modelName(m)} can no longer be read (${(err as Error).message}). Restore its files, or register it again with "dixw model add ${m.path}".`, { cause: err });
  }
  if (now !== m.hash) {
    throw new Error(
      `The files of ${modelName(m)} changed since it was registered (content hash ${short(m.hash)} then, ${short(now)} now), so its maps would not match their provenance. ` +
        `If the change is intended, register it again with "dixw model add ${m.path}" and submit the job again.`,
    );
  }
  return m;
}

/**
 * Where the registered model is on this machine: at its path when its files there have its content hash, else (a
 * fleet worker) a copy fetched from the coordinator by that hash. The reason it was not found here stays in the error.
 */
export async function modelHere(inputs: JobInputs, blobs: BlobFetcher | null): Promise<{ model: ModelInput; path: string }> {
  try {
    const model = requireUnchangedModel(inputs);
    return { model, path: model.path };
  } catch (err) {
    const m = inputs.model;
    if (!blobs || !m) throw err;
    try {
      return { model: m, path: await blobs.model(m.hash) };
    } catch (fetchErr) {
      throw new Error(`${(err as Error).message} Fetching it from the coordinator by its content hash did not help: ${(fetchErr as Error).message}`, { cause: fetchErr });
    }
  }
}

/**
 * Where to read the whole dataset for training on this machine: its folder when that still has the dataset's content
 * hash; else, on a fleet worker, a copy fetched by that hash (dataset-copy.ts); else the folder as it is now, changed,
 * with a warning (a local job trains on what the user has, and training-log.json records its hash).
 */
export async function trainingFolderHere(d: DatasetInput, blobs: BlobFetcher | null, warn: (message: string) => void): Promise<string> {
  if (!blobs) {
    if (!datasetFolderExists(d.root)) throw datasetVanished(d);
    const now = indexDatasetFolder(d.root).hash; // throws its own reason when the folder cannot be indexed
    if (now !== d.hash) warn(`the dataset folder ${d.root} changed since it was indexed; training on it as it is now (content hash ${short(now)}, recorded in training-log.json)`);
    return d.root;
  }
  const now = folderHash(d.root);
  if (now === d.hash) return d.root;
  try {
    return await fetchDatasetFolder(blobs, d.hash);
  } catch (err) {
    const here = now === null ? `${d.root} cannot be read here` : `${d.root} differs here (content hash ${short(now)}, not ${short(d.hash)})`;
    throw new Error(`The folder of ${datasetName(d)}: ${here}, and fetching it from the coordinator by its content hash did not help: ${(err as Error).message}`, { cause: err });
  }
}

/** The dataset's folder, or a clear reason why it is unusable. `fetched`: a fleet worker fetches what is not here. */
export function requireDatasetFolder(inputs: JobInputs, fetched = false): DatasetInput {
  const d = inputs.dataset;
  if (!d) throw new Error('this job has no dataset among its inputs; it was queued without one (a bug in the caller)');
  if (!fetched && !datasetFolderExists(d.root)) throw datasetVanished(d);
  return d;
}

export function datasetFolderExists(root: string): boolean {
  try {
    return statSync(root).isDirectory();
  } catch {
    return false;
  }
}

export function datasetVanished(d: DatasetInput): Error {
  return new Error(
    `The folder of ${datasetName(d)} vanished: ${d.root} no longer exists. Restore it, or register its new location with "dixw dataset add DIR" and submit the job again.`,
  );
}
