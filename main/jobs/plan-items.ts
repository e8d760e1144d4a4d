// Splitting a job into items. Keys are stable (they identify committed work across restarts); payloads carry what a
// worker needs without the store. Step-major order for randomization steps, so a worker re-randomizes once per step.
import { join } from 'node:path';
import type { DatasetRecord, ImageRecord } from '../../shared/store-types';
import { selectEntries } from '../engine/data/select-entries';
import { listImages, requireDataset } from '../store/datasets-repo';
import type { PlannedItem } from '../store/items-repo';
import type { Store } from '../store/store';

export interface ImagePayload {
  imageId: number;
  /** Absolute path. */
  path: string;
  /** Relative to the dataset root, '/'-separated: names the image in outputs and summaries. */
  relPath: string;
  hash: string;
  label: number | null;
  maskPath: string | null;
}

function imagePayload(root: string, image: ImageRecord): ImagePayload {
  return {
    imageId: image.id,
    path: join(root, ...image.relPath.split('/')),
    relPath: image.relPath,
    hash: image.contentHash,
    label: image.label,
    maskPath: image.maskPath === null ? null : join(root, image.maskPath),
  };
}

/** One item per image ("image:ID"), the first `limit` in index order. */
export function imageItems(store: Store, datasetId: number, limit?: number): PlannedItem[] {
  const dataset = requireDataset(store, datasetId);
  return listImages(store, datasetId, { limit }).map((image) => ({
    key: `image:${image.id}`,
    payload: { ...imagePayload(dataset.root, image) },
  }));
}

/**
 * One item per image of a balanced sample: the first `perClass` of each class, the classes in turn, then the first
 * `limit`. Items are in that order, so the first N (a limit, the maps a job keeps) sample every class.
 */
export function sampledImageItems(store: Store, dataset: DatasetRecord, sample: { perClass?: number; limit?: number }): PlannedItem[] {
  const images = selectEntries(listImages(store, dataset.id), sample.perClass, sample.limit);
  return images.map((image) => ({ key: `image:${image.id}`, payload: { ...imagePayload(dataset.root, image) } }));
}

/** One item per randomization step and image ("step:K/image:ID"), steps 0..steps-1, step-major. */
export function stepImageItems(store: Store, datasetId: number, steps: number, limit?: number): PlannedItem[] {
  const dataset = requireDataset(store, datasetId);
  const images = listImages(store, datasetId, { limit });
  const items: PlannedItem[] = [];
  for (let step = 0; step < steps; step++) {
    for (const image of images) items.push({ key: `step:${step}/image:${image.id}`, payload: { step, ...imagePayload(dataset.root, image) } });
  }
  return items;
}

/** One item per epoch ("epoch:N", from 1); the executor checkpoints after each, so a crash costs one epoch. */
export function epochItems(epochs: number): PlannedItem[] {
  return Array.from({ length: epochs }, (_, i) => ({ key: `epoch:${i + 1}`, payload: { epoch: i + 1 } }));
}
