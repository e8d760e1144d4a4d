// Datasets as records: a folder indexed (classes, labels, masks, per-image content hashes) and kept in the store.
// Adding a folder that is registered already compares its content: unchanged, or re-indexed with the changes named.
import { basename, resolve } from 'node:path';
import { AddFolderInputSchema, RecordIdSchema, type AddDatasetResult, type DatasetDetails } from '../../shared/service-api';
import type { DatasetRecord } from '../../shared/store-types';
import { indexDatasetOffThread } from '../jobs/dataset-index-thread';
import { addDataset, findDatasetByRoot, listDatasets, listImages, reindexDataset, removeDataset, requireDataset } from '../store/datasets-repo';
import { unfinishedJobsUsing } from '../store/jobs-repo';
import type { Store } from '../store/store';
import { guarded, parseInput } from './service-error';

const SAMPLE_SIZE = 5;

export class DatasetsApi {
  constructor(private readonly store: Store) {}

  /** Registers a folder, or re-indexes it if it is registered and its content changed. */
  add(input: { path: string; name?: string }): Promise<AddDatasetResult> {
    return guarded(async (): Promise<AddDatasetResult> => {
      const { path, name } = parseInput(AddFolderInputSchema, input, 'dataset');
      const root = resolve(path);
      // On a worker thread: every other request is answered while the folder's images are read and hashed.
      const index = await indexDatasetOffThread(root);
      const warnings = index.skipped.map((s) => `${s.relPath}: ${s.reason}`);
      const existing = findDatasetByRoot(this.store, index.root);
      if (!existing) {
        const dataset = addDataset(this.store, { ...index, name: name ?? basename(index.root) });
        return { dataset, status: 'added', changes: null, previousHash: null, warnings };
      }
      if (existing.contentHash === index.contentHash) return { dataset: existing, status: 'unchanged', changes: null, previousHash: null, warnings };
      const { dataset, added, removed, changed } = reindexDataset(this.store, existing.id, index);
      return { dataset, status: 'reindexed', changes: { added, removed, changed }, previousHash: existing.contentHash, warnings };
    });
  }

  list(): Promise<DatasetRecord[]> {
    return guarded(() => listDatasets(this.store));
  }

  show(id: number): Promise<DatasetDetails> {
    return guarded(() => {
      const dataset = requireDataset(this.store, parseInput(RecordIdSchema, id, 'dataset id'));
      const images = listImages(this.store, dataset.id);
      const perClass: Record<string, number> = {};
      for (const im of images) {
        const name = im.className ?? (im.label === null ? '(unlabelled)' : `class ${im.label}`);
        perClass[name] = (perClass[name] ?? 0) + 1;
      }
      return {
        dataset,
        perClass,
        masks: images.filter((im) => im.maskPath !== null).length,
        sample: images.slice(0, SAMPLE_SIZE),
        usedBy: unfinishedJobsUsing(this.store, { datasetId: dataset.id }),
      };
    });
  }

  /** Forgets the record (the folder is untouched); refused while an unfinished job uses it. */
  remove(id: number): Promise<void> {
    return guarded(() => removeDataset(this.store, parseInput(RecordIdSchema, id, 'dataset id')));
  }
}
