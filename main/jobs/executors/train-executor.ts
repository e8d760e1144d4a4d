// A train job in the worker: one item that trains the architecture on the dataset's folder (on a fleet worker that
// lacks it, a verified copy fetched from the coordinator) and writes the model
// folder (engine/runs/train-run.ts). The item's output carries what registering the model needs, so the main side
// registers it without loading TF.js. A crash retrains from the start (training is seeded, so to the same model).
// On a fleet worker the model is trained in the worker's cache and uploaded to the coordinator, which writes it at
// --out there (model-upload.ts); the item's result is sent only after that, and names the coordinator's path.
import type { TrainSpec } from '../../../shared/job-spec';
import type { TrainItemOutput } from '../../../shared/job-outputs';
import type { BackendInfo } from '../../../shared/provenance';
import { initBackend } from '../../engine/backend/select-backend';
import { describeModel } from '../../engine/model/model-info';
import { loadVisionModel } from '../../engine/model/load-model';
import { runTrain } from '../../engine/runs/train-run';
import { APP_VERSION } from '../app-version';
import type { ExecutorResult, ItemContext, JobContext } from '../executor';
import { blobFetcher } from '../blob-fetcher';
import { storeAtCoordinator, trainingFolder } from '../model-upload';
import { requireDatasetFolder, trainingFolderHere, type DatasetInput } from './input-checks';
import { trainProgressNote } from '../../../shared/train-progress-note';

/** Progress messages at most this often (ms): a batch can take a millisecond. */
const PROGRESS_INTERVAL_MS = 200;

export class TrainJob {
  private constructor(
    private readonly spec: TrainSpec,
    private readonly dataset: DatasetInput,
    private readonly backend: BackendInfo,
  ) {}

  static async prepare(spec: TrainSpec, ctx: JobContext): Promise<TrainJob> {
    const dataset = requireDatasetFolder(ctx.inputs, ctx.blobs !== undefined);
    const backend = await initBackend(spec.backend ?? null);
    return new TrainJob(spec, dataset, backend);
  }

  async runItem(ctx: ItemContext): Promise<ExecutorResult> {
    const { spec, dataset, backend } = this;
    // The folder here, or on a fleet worker where it is missing or differs, a verified copy fetched by content hash.
    const data = await trainingFolderHere(dataset, blobFetcher(ctx.blobs), (message) => ctx.log('warn', message));
    const out = ctx.blobs ? trainingFolder(ctx.blobs.cacheDir, ctx.jobId, 'model') : spec.out;
    let last = 0;
    const summary = await runTrain({
      data, arch: spec.arch, epochs: spec.epochs, out, backend, appVersion: APP_VERSION,
      input: spec.input ? [spec.input.height, spec.input.width, spec.input.channels] : undefined,
      permuteLabels: spec.permuteLabels, seed: spec.seed, width: spec.width, batchNorm: spec.batchNorm, batchSize: spec.batchSize,
      learningRate: spec.learningRate, valSplit: spec.valSplit, stopAtAccuracy: spec.stopAtAccuracy, limit: spec.limit,
    }, (p) => {
      const t = Date.now();
      if (t - last < PROGRESS_INTERVAL_MS && p.batch < p.batches) return;
      last = t;
      ctx.progress(((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches), trainProgressNote(p));
    });
    for (const s of summary.skipped) ctx.log('warn', `skipped ${s.path}: ${s.reason}`);
    const vm = await loadVisionModel(summary.out);
    const model = describeModel(vm);
    vm.dispose();
    let stored = summary.out;
    if (ctx.blobs) {
      ctx.progress(1, 'uploading the trained model to the coordinator');
      stored = await storeAtCoordinator(ctx.blobs, ctx.jobId, 'model', summary.out, summary.modelHash, spec.out);
    }
    const output: TrainItemOutput = {
      kind: 'trained', out: stored, modelHash: summary.modelHash, arch: summary.arch, input: summary.input, images: summary.images,
      skipped: summary.skipped, epochs: summary.epochs, finalTrainAccuracy: summary.finalTrainAccuracy, seconds: summary.seconds,
      model: { ...model, arch: summary.arch },
    };
    return { output, backend };
  }

  dispose(): void {}
}
