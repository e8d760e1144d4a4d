// What an explain or metrics job does in prepare() before its own planning: the inputs checked, the backend started
// and the model loaded. The model holds TF.js memory, so it is released when the job's own setup throws.
import type { BackendInfo, BackendName } from '../../../shared/provenance';
import { initBackend } from '../../engine/backend/select-backend';
import { loadVisionModel } from '../../engine/model/load-model';
import type { VisionModel } from '../../engine/model/vision-model';
import type { JobContext } from '../executor';
import { requireDatasetFolder, requireUnchangedModel, type DatasetInput, type ModelInput } from './input-checks';

export interface ModelJobInputs {
  dataset: DatasetInput;
  model: ModelInput;
  backend: BackendInfo;
  vm: VisionModel;
}

export async function prepareModelJob<T>(backendName: BackendName | undefined, ctx: JobContext, setUp: (inputs: ModelJobInputs) => T): Promise<T> {
  const dataset = requireDatasetFolder(ctx.inputs);
  const model = requireUnchangedModel(ctx.inputs);
  const backend = await initBackend(backendName ?? null);
  const vm = await loadVisionModel(model.path, model.hash);
  try {
    return setUp({ dataset, model, backend, vm });
  } catch (err) {
    vm.dispose();
    throw err;
  }
}
