// What an explain or metrics job does in prepare() before its own planning: the inputs checked, the backend started
// and the model loaded, or taken from the worker's model cache (the same content hash on the same backend was loaded by
// an earlier job of this worker; on a fleet worker, perhaps fetched from the coordinator). The job's vm.dispose() returns it to the cache; explain and metrics jobs never change
// a model's weights. The model holds TF.js memory, so it is released when the job's own setup throws.
import type { BackendInfo, BackendName } from '../../../shared/provenance';
import { initBackend } from '../../engine/backend/select-backend';
import { loadVisionModel } from '../../engine/model/load-model';
import type { VisionModel } from '../../engine/model/vision-model';
import { blobFetcher } from '../blob-fetcher';
import type { JobContext } from '../executor';
import { workerModelCache } from '../model-cache';
import { modelHere, requireDatasetFolder, type DatasetInput, type ModelInput } from './input-checks';

export interface ModelJobInputs {
  dataset: DatasetInput;
  model: ModelInput;
  backend: BackendInfo;
  vm: VisionModel;
}

export async function prepareModelJob<T>(backendName: BackendName | undefined, ctx: JobContext, setUp: (inputs: ModelJobInputs) => T): Promise<T> {
  const blobs = blobFetcher(ctx.blobs);
  const dataset = requireDatasetFolder(ctx.inputs, blobs !== null);
  const { model, path } = await modelHere(ctx.inputs, blobs);
  const backend = await initBackend(backendName ?? null);
  const lease = await workerModelCache.acquire(`${backend.name}:${model.hash}`, () => loadVisionModel(path, model.hash));
  const vm: VisionModel = Object.create(lease.vm, { dispose: { value: () => lease.release() } });
  try {
    return setUp({ dataset, model, backend, vm });
  } catch (err) {
    vm.dispose();
    throw err;
  }
}
