// Models as records: a folder with its content hash and what loading it once taught (input, classes, cut points).
// Adding a registered folder whose files changed updates its record, and says so: jobs queued before keep the old
// hash and fail rather than explain a model their results would misdescribe.
import { basename, resolve } from 'node:path';
import { ModelInfoSchema, type ModelInfo } from '../../shared/model-info';
import { AddModelInputSchema, RecordIdSchema, type AddModelInput, type AddModelResult, type ModelDetails } from '../../shared/service-api';
import type { ModelRecord } from '../../shared/store-types';
import type { JsonValue } from '../../shared/json';
import { inspectModelFolder, modelFolderHash, setModelPreprocessing } from '../jobs/engine-inputs';
import { unfinishedJobsUsing } from '../store/jobs-repo';
import { addModel, findModelByPath, listModels, removeModel, requireModel, updateModel } from '../store/models-repo';
import type { Store } from '../store/store';
import { guarded, parseInput } from './service-error';

export class ModelsApi {
  constructor(private readonly store: Store) {}

  add(input: AddModelInput): Promise<AddModelResult> {
    return guarded(async () => {
      const { path, name, preprocessing, classNames } = parseInput(AddModelInputSchema, input, 'model');
      const folder = resolve(path);
      // First, so that a changed preprocessing changes the content hash below (it is part of an ONNX model's hash).
      await setModelPreprocessing(folder, preprocessing, classNames);
      const hash = await modelFolderHash(folder);
      const existing = findModelByPath(this.store, folder);
      if (existing && existing.contentHash === hash) return { model: existing, status: 'unchanged' as const, previousHash: null };
      const { info } = await inspectModelFolder(folder);
      return this.record(folder, hash, info, name, existing);
    });
  }

  /** Registers (or updates) a model whose hash and info are known already, e.g. one a train job just wrote. */
  record(folder: string, hash: string, info: ModelInfo, name: string | undefined, existing = findModelByPath(this.store, folder)): AddModelResult {
    const infoJson = info as unknown as Record<string, JsonValue>;
    if (!existing) {
      const model = addModel(this.store, { name: name ?? basename(folder), path: folder, contentHash: hash, arch: info.arch, info: infoJson });
      return { model, status: 'added', previousHash: null };
    }
    if (existing.contentHash === hash) return { model: existing, status: 'unchanged', previousHash: null };
    const model = updateModel(this.store, existing.id, { name, contentHash: hash, arch: info.arch, info: infoJson });
    return { model, status: 'updated', previousHash: existing.contentHash };
  }

  list(): Promise<ModelRecord[]> {
    return guarded(() => listModels(this.store));
  }

  show(id: number): Promise<ModelDetails> {
    return guarded(() => {
      const model = requireModel(this.store, parseInput(RecordIdSchema, id, 'model id'));
      const info = ModelInfoSchema.safeParse(model.info);
      return { model, info: info.success ? info.data : null, usedBy: unfinishedJobsUsing(this.store, { modelId: model.id }) };
    });
  }

  /** Forgets the record (the folder is untouched); refused while an unfinished job uses it. */
  remove(id: number): Promise<void> {
    return guarded(() => removeModel(this.store, parseInput(RecordIdSchema, id, 'model id')));
  }
}
