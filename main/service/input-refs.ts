// A spec names its model and dataset by registered id or by folder. An id must exist; a folder is registered on
// first use, and re-indexed or re-hashed if it changed, so a job always runs on what the folder holds now.
import type { AddDatasetResult, AddModelResult } from '../../shared/service-api';
import { requireDataset } from '../store/datasets-repo';
import { requireModel } from '../store/models-repo';
import type { Store } from '../store/store';
import type { DatasetsApi } from './datasets';
import type { ModelsApi } from './models';

/** A registered id: a positive integer, or a string of digits (a folder named "3" is given as ./3). Anything else is a path. */
export function asRecordId(ref: string | number): number | null {
  if (typeof ref === 'number') return Number.isInteger(ref) && ref > 0 ? ref : null;
  return /^[1-9][0-9]*$/.test(ref.trim()) ? Number(ref.trim()) : null;
}

export async function resolveDatasetRef(store: Store, datasets: DatasetsApi, ref: string | number): Promise<AddDatasetResult> {
  const id = asRecordId(ref);
  if (id !== null) return { dataset: requireDataset(store, id), status: 'unchanged', changes: null, previousHash: null };
  return datasets.add({ path: String(ref) });
}

export async function resolveModelRef(store: Store, models: ModelsApi, ref: string | number): Promise<AddModelResult> {
  const id = asRecordId(ref);
  if (id !== null) return { model: requireModel(store, id), status: 'unchanged', previousHash: null };
  return models.add({ path: String(ref) });
}
