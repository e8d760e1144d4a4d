// Before a job computes anything: the inputs it was queued with must still be what they were. A model whose files
// changed would produce maps that contradict their provenance, and a dataset folder that is gone cannot be read.
import { existsSync, statSync } from 'node:fs';
import type { JobInputs } from '../../../shared/job-spec';
import { modelHash } from '../../engine/model/load-model';
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

/** The dataset's folder, or a clear reason why it is unusable. */
export function requireDatasetFolder(inputs: JobInputs): DatasetInput {
  const d = inputs.dataset;
  if (!d) throw new Error('this job has no dataset among its inputs; it was queued without one (a bug in the caller)');
  if (!datasetFolderExists(d.root)) throw datasetVanished(d);
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
