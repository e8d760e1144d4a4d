// Datasets and their images: the index of a folder (paths, labels, masks, content hashes).
import type { DatasetRecord, ImageRecord } from '../../shared/store-types';
import { fromJsonAs, nowIso, toJson } from './json-column';
import { StoreError } from './store-error';
import type { Store } from './store';
import { z } from 'zod';

export interface ImageInput {
  relPath: string;
  contentHash: string;
  label?: number | null;
  className?: string | null;
  maskPath?: string | null;
  width?: number | null;
  height?: number | null;
}

export interface DatasetIndex {
  contentHash: string;
  classes: string[];
  /** In index order; ordinals are assigned from this order. */
  images: ImageInput[];
}

export interface DatasetInput extends DatasetIndex {
  name: string;
  /** Absolute folder path; one record per folder. */
  root: string;
}

interface DatasetRow {
  id: number;
  name: string;
  root: string;
  content_hash: string;
  classes: string;
  image_count: number;
  created_at: string;
  updated_at: string;
}

interface ImageRow {
  id: number;
  dataset_id: number;
  ordinal: number;
  rel_path: string;
  content_hash: string;
  label: number | null;
  class_name: string | null;
  mask_path: string | null;
  width: number | null;
  height: number | null;
}

const ClassesSchema = z.array(z.string());

function toDataset(row: DatasetRow): DatasetRecord {
  return {
    id: row.id,
    name: row.name,
    root: row.root,
    contentHash: row.content_hash,
    classes: fromJsonAs(ClassesSchema, row.classes, 'dataset classes'),
    imageCount: row.image_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toImage(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    ordinal: row.ordinal,
    relPath: row.rel_path,
    contentHash: row.content_hash,
    label: row.label,
    className: row.class_name,
    maskPath: row.mask_path,
    width: row.width,
    height: row.height,
  };
}

export function addDataset(store: Store, input: DatasetInput): DatasetRecord {
  return store.transaction(() => {
    if (findDatasetByRoot(store, input.root)) {
      throw new StoreError('in-use', `The folder ${input.root} is already registered as a dataset; re-index it instead of adding it again.`);
    }
    const now = nowIso();
    const { lastInsertRowid } = store
      .prepare('INSERT INTO datasets (name, root, content_hash, classes, image_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(input.name, input.root, input.contentHash, toJson(input.classes), input.images.length, now, now);
    const id = Number(lastInsertRowid);
    insertImages(store, id, input.images, 0);
    return requireDataset(store, id);
  });
}

/** Replaces a dataset's index after its folder changed; images keep their ids where the path is unchanged. */
export function reindexDataset(store: Store, id: number, index: DatasetIndex): { dataset: DatasetRecord; added: number; removed: number; changed: number } {
  return store.transaction(() => {
    requireDataset(store, id);
    const old = new Map(listImages(store, id).map((im) => [im.relPath, im]));
    // Free the ordinals first: (dataset_id, ordinal) is unique and the new order may swap them.
    store.prepare('UPDATE images SET ordinal = -1 - ordinal WHERE dataset_id = ?').run(id);
    const update = store.prepare(
      'UPDATE images SET ordinal = ?, content_hash = ?, label = ?, class_name = ?, mask_path = ?, width = ?, height = ? WHERE id = ?',
    );
    let added = 0;
    let changed = 0;
    const fresh: { image: ImageInput; ordinal: number }[] = [];
    index.images.forEach((image, ordinal) => {
      const before = old.get(image.relPath);
      if (!before) {
        fresh.push({ image, ordinal });
        return;
      }
      old.delete(image.relPath);
      if (before.contentHash !== image.contentHash) changed++;
      update.run(ordinal, image.contentHash, image.label ?? null, image.className ?? null, image.maskPath ?? null, image.width ?? null, image.height ?? null, before.id);
    });
    const remove = store.prepare('DELETE FROM images WHERE id = ?');
    for (const gone of old.values()) remove.run(gone.id);
    for (const { image, ordinal } of fresh) {
      insertImage(store, id, image, ordinal);
      added++;
    }
    store
      .prepare('UPDATE datasets SET content_hash = ?, classes = ?, image_count = ?, updated_at = ? WHERE id = ?')
      .run(index.contentHash, toJson(index.classes), index.images.length, nowIso(), id);
    return { dataset: requireDataset(store, id), added, removed: old.size, changed };
  });
}

function insertImages(store: Store, datasetId: number, images: readonly ImageInput[], firstOrdinal: number): void {
  images.forEach((image, i) => insertImage(store, datasetId, image, firstOrdinal + i));
}

function insertImage(store: Store, datasetId: number, image: ImageInput, ordinal: number): void {
  store
    .prepare(
      'INSERT INTO images (dataset_id, ordinal, rel_path, content_hash, label, class_name, mask_path, width, height) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(datasetId, ordinal, image.relPath, image.contentHash, image.label ?? null, image.className ?? null, image.maskPath ?? null, image.width ?? null, image.height ?? null);
}

export function getDataset(store: Store, id: number): DatasetRecord | undefined {
  const row = store.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  return row && toDataset(row);
}

export function requireDataset(store: Store, id: number): DatasetRecord {
  const d = getDataset(store, id);
  if (!d) throw new StoreError('not-found', `There is no dataset with id ${id}; "dixw dataset list" shows the registered ones.`);
  return d;
}

export function findDatasetByRoot(store: Store, root: string): DatasetRecord | undefined {
  const row = store.prepare('SELECT * FROM datasets WHERE root = ?').get(root) as DatasetRow | undefined;
  return row && toDataset(row);
}

export function listDatasets(store: Store): DatasetRecord[] {
  return (store.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[]).map(toDataset);
}

/** Refuses while a queued, running or paused job uses it; results of finished jobs keep their rows. */
export function removeDataset(store: Store, id: number): void {
  store.transaction(() => {
    requireDataset(store, id);
    const users = store
      .prepare("SELECT id FROM jobs WHERE dataset_id = ? AND state IN ('queued', 'running', 'paused') ORDER BY id")
      .all(id) as { id: number }[];
    if (users.length > 0) {
      throw new StoreError('in-use', `Dataset ${id} is used by unfinished job${users.length > 1 ? 's' : ''} ${users.map((u) => u.id).join(', ')}; cancel or remove ${users.length > 1 ? 'them' : 'it'} first.`);
    }
    store.prepare('DELETE FROM datasets WHERE id = ?').run(id);
  });
}

export function listImages(store: Store, datasetId: number, page: { limit?: number; offset?: number } = {}): ImageRecord[] {
  const rows = store
    .prepare('SELECT * FROM images WHERE dataset_id = ? ORDER BY ordinal LIMIT ? OFFSET ?')
    .all(datasetId, page.limit ?? -1, page.offset ?? 0) as ImageRow[];
  return rows.map(toImage);
}

export function getImage(store: Store, id: number): ImageRecord | undefined {
  const row = store.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
  return row && toImage(row);
}
