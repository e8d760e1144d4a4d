// A sanity job in the worker (docs/methods.md §5). Items are images: each runs every randomization step for one image
// through one SanitySession, so the randomized weights are drawn once per worker and switched in memory (never
// reloaded from disk), and the trained model's step-0 maps are computed once per image. Per image and step it
// yields the similarity of each method's map to its step-0 map under every measure (with provenance), and the maps
// themselves (step 0 against itself is stored too, 1 by definition, so a curve starts at the trained model; the worker keeps them for the first keepMaps items). Data randomization with `train` has one more
// item first, "train-pair", that trains both models (trainRandomizationPair; it fails the job clearly when a model
// does not reach the target accuracy); the image items load the models it wrote. On a fleet worker the pair is trained
// in the worker's cache and uploaded to the coordinator's --train-out (model-upload.ts); the later items then carry
// both models by content hash (fleet/item-inputs.ts), found at that path or in the cache, or fetched like any model.
import { pickMethodOptions } from '../../../shared/method-options';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JobInputs, SanitySpec } from '../../../shared/job-spec';
import type { SanityItemOutput } from '../../../shared/job-outputs';
import type { SimilarityResult } from '../../../shared/item-result';
import type { JsonValue } from '../../../shared/json';
import type { BackendInfo, Provenance } from '../../../shared/provenance';
import type { WorkItem } from '../../../shared/worker-protocol';
import { initBackend } from '../../engine/backend/select-backend';
import { writeNpy } from '../../engine/data/npy';
import { loadVisionModel } from '../../engine/model/load-model';
import { type VisionModel } from '../../engine/model/vision-model';
import { SanitySession } from '../../engine/sanity/sanity-session';
import { trainRandomizationPair } from '../../engine/sanity/train-randomization-pair';
import { tf } from '../../engine/tf';
import { APP_VERSION } from '../app-version';
import { blobFetcher } from '../blob-fetcher';
import type { ComputedMap, ExecutorResult, ItemContext, JobContext } from '../executor';
import { modelHere, requireDatasetFolder, trainingFolderHere, type DatasetInput, type ModelInput } from './input-checks';
import { openImageItem } from './item-prologue';
import { trainProgressNote } from '../../../shared/train-progress-note';
import { TRAIN_PAIR_ITEM, trainedPairPaths } from '../trained-pair-paths';
import { storeAtCoordinator, trainingFolder } from '../model-upload';

const PROGRESS_INTERVAL_MS = 200;

export { TRAIN_PAIR_ITEM, trainedPairPaths };

interface Loaded {
  vm: VisionModel;
  randomVm: VisionModel | null;
  session: SanitySession;
}

export class SanityJob {
  private loaded: Loaded | null = null;

  private constructor(
    private readonly spec: SanitySpec,
    private readonly dataset: DatasetInput,
    private readonly backend: BackendInfo,
    private readonly model: ModelInput | null,
    private readonly randomModel: ModelInput | null,
  ) {}

  static async prepare(spec: SanitySpec, ctx: JobContext): Promise<SanityJob> {
    const blobs = blobFetcher(ctx.blobs);
    const dataset = requireDatasetFolder(ctx.inputs, blobs !== null);
    // The models as this machine has them: `path` is where to load them from (here, or fetched by content hash).
    const here = async (inputs: JobInputs) => {
      const { model, path } = await modelHere(inputs, blobs);
      return { ...model, path };
    };
    const model = spec.train ? null : await here(ctx.inputs);
    const randomInput = (ctx.inputs as { randomModel?: ModelInput }).randomModel;
    const randomModel = spec.randomModel && randomInput ? await here({ model: randomInput }) : null;
    if (spec.randomModel && !randomModel) throw new Error('this data randomization job has no random-label model among its inputs (a bug in the caller)');
    const backend = await initBackend(spec.backend ?? null);
    return new SanityJob(spec, dataset, backend, model, randomModel);
  }

  async runItem(item: WorkItem, ctx: ItemContext): Promise<ExecutorResult> {
    if (item.key === TRAIN_PAIR_ITEM) return this.trainPair(ctx);
    const { vm, session } = await this.load(ctx);
    const opened = await openImageItem(item, vm.preprocessing, this.dataset, ctx, { backend: this.backend, image: 'path' });
    if (!opened.ok) return opened.skipped;
    const { payload, image } = opened;
    const { height: h, width: w, channels: c } = vm.preprocessing;
    const x = tf.tensor4d(image.input, [1, h, w, c]);
    const startedAt = Date.now();
    let steps;
    try {
      steps = session.explainImage(x);
    } finally {
      x.dispose();
    }
    const spec = this.spec;
    const randomHash = this.loaded!.randomVm?.hash ?? null;
    const similarities: SimilarityResult[] = [];
    const maps: ComputedMap[] = [];
    let clock = startedAt;
    for (const s of steps) {
      const from = new Date(clock).toISOString();
      clock += s.millis;
      const to = new Date(clock).toISOString();
      // The model that made this step's maps: the trained one with these layers re-initialized (its seed and
      // settings are in the parameters, so the map's content address differs from the trained model's), or the
      // random-label model of the data test.
      const stepModelHash = spec.test === 'data' && s.step > 0 ? randomHash! : vm.hash;
      const randomization: Record<string, JsonValue> | null = spec.test !== 'data' && s.step > 0
        ? { test: spec.test, step: s.step, label: s.label, layers: s.layers, seed: spec.seed, layersFrom: spec.layersFrom,
            includeBatchNorm: spec.includeBatchNorm, batchNormStats: spec.batchNormStats }
        : null;
      for (const m of s.maps) {
        const methodParams = JSON.parse(JSON.stringify(m.params)) as Record<string, JsonValue>;
        const base: Omit<Provenance, 'params'> = {
          id: m.methodId, version: m.methodVersion, cutPoints: m.cutPoints.length ? m.cutPoints : ['input'], targetClass: s.targetClass,
          modelHash: stepModelHash, datasetHash: this.dataset.hash, seed: spec.seed, backend: this.backend, appVersion: APP_VERSION,
          startedAt: from, finishedAt: to,
        };
        maps.push({ imageId: payload.imageId, imageHash: payload.hash, values: m.map, height: m.height, width: m.width,
          provenance: { ...base, params: randomization ? { ...methodParams, randomization } : methodParams } });
        for (const measure of session.measures) {
          similarities.push({
            test: spec.test, method: m.methodId, imageId: payload.imageId, step: s.step, layer: spec.test === 'data' || s.step === 0 ? null : s.label,
            measure: measure.id, value: s.similarities[m.methodId]?.[measure.id] ?? null,
            provenance: { ...base, params: {
              method: methodParams,
              measure: { id: measure.id, version: measure.version },
              test: spec.test, step: s.step, label: s.label, layers: s.layers, layersFrom: spec.layersFrom,
              includeBatchNorm: spec.includeBatchNorm, batchNormStats: spec.batchNormStats, explainedClass: spec.explainedClass,
              trainedModelHash: vm.hash, randomModelHash: randomHash,
            } },
          });
        }
      }
    }
    if (spec.export?.npy) {
      const stem = payload.relPath.replace(/\.[^./]+$/, '');
      const write = (rel: string, values: Float32Array, shape: number[]) => {
        const p = join(spec.export!.npy, rel);
        mkdirSync(dirname(p), { recursive: true });
        writeNpy(p, values, shape);
      };
      write(`_input/${stem}.npy`, image.input, [h, w, c]);
      for (const s of steps) for (const m of s.maps) write(`${m.methodId}/step-${s.step}/${stem}.npy`, m.map, [m.height, m.width]);
      if (item.ordinal === 0) this.writeManifest(spec.export.npy, vm, session);
    }
    const output: SanityItemOutput = {
      kind: 'image', image: payload.relPath, label: payload.label,
      steps: steps.map((s) => ({ step: s.step, label: s.label, targetClass: s.targetClass, predictedClass: s.predictedClass, millis: s.millis })),
    };
    return { maps, similarities, output, backend: this.backend };
  }

  private writeManifest(dir: string, vm: VisionModel, session: SanitySession): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sanity.json'), JSON.stringify({
      test: this.spec.test, model: { path: vm.path, hash: vm.hash },
      randomModel: this.loaded?.randomVm ? { path: this.loaded.randomVm.path, hash: this.loaded.randomVm.hash } : null,
      dataset: { path: this.dataset.root, hash: this.dataset.hash }, methods: session.plan.map((p) => ({ id: p.method.id, version: p.method.version, params: p.params })),
      measures: session.measures.map((m) => ({ id: m.id, version: m.version })), steps: session.steps, seed: this.spec.seed,
      layersFrom: this.spec.layersFrom, preprocessing: vm.preprocessing, backend: this.backend,
    }, null, 2) + '\n');
  }

  private async trainPair(ctx: ItemContext): Promise<ExecutorResult> {
    const t = this.spec.train;
    if (!t?.out) throw new Error('the train-pair item needs spec.train with its out folder (set when the job is queued)');
    // Jobs queued with the training dataset's hash: its folder here, or a verified copy fetched by that hash.
    const trainData = ctx.inputs.trainDataset;
    const data = trainData ? await trainingFolderHere(trainData, blobFetcher(ctx.blobs), (message) => ctx.log('warn', message)) : t.dataset;
    // On a fleet worker: trained in its cache, then uploaded to the coordinator's --train-out.
    const out = ctx.blobs ? trainingFolder(ctx.blobs.cacheDir, ctx.jobId, 'pair') : t.out;
    let last = 0;
    const pair = await trainRandomizationPair({
      data, arch: t.arch, epochs: t.epochs, randomEpochs: t.randomEpochs, targetAccuracy: t.targetAccuracy, out,
      seed: this.spec.seed, width: t.width, batchNorm: t.batchNorm, batchSize: t.batchSize, learningRate: t.learningRate, limit: t.limit,
      backend: this.backend, appVersion: APP_VERSION,
    }, (p) => {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && p.batch < p.batches) return;
      last = now;
      const half = p.model === 'true-labels' ? 0 : 0.5;
      ctx.progress(half + (0.5 * ((p.epoch - 1) * p.batches + p.batch)) / (p.epochs * p.batches), `${p.model === 'true-labels' ? 'true-label model' : 'random-label model'}: ${trainProgressNote(p)}`);
    });
    const paths = { trueLabels: pair.trueLabels.out, randomLabels: pair.randomLabels.out };
    if (ctx.blobs) {
      ctx.progress(1, 'uploading the trained models to the coordinator');
      const there = trainedPairPaths(t.out);
      paths.trueLabels = await storeAtCoordinator(ctx.blobs, ctx.jobId, 'true-labels', pair.trueLabels.out, pair.trueLabels.modelHash, there.trueModel);
      paths.randomLabels = await storeAtCoordinator(ctx.blobs, ctx.jobId, 'random-labels', pair.randomLabels.out, pair.randomLabels.modelHash, there.randomModel);
      rmSync(out, { recursive: true, force: true }); // both models moved to the cache
    }
    const summary = (s: typeof pair.trueLabels, path: string) => ({ path, hash: s.modelHash, epochs: s.epochs.length, finalTrainAccuracy: s.finalTrainAccuracy });
    const output: SanityItemOutput = { kind: 'trained-pair', trueLabels: summary(pair.trueLabels, paths.trueLabels), randomLabels: summary(pair.randomLabels, paths.randomLabels),
      seconds: pair.trueLabels.seconds + pair.randomLabels.seconds };
    return { output, backend: this.backend };
  }

  private async load(ctx: ItemContext): Promise<Loaded> {
    if (this.loaded) return this.loaded;
    const spec = this.spec;
    const paths = spec.train?.out ? await this.trainedPair(spec.train.out, ctx) : null;
    const vm = await loadVisionModel(paths ? paths.trueModel : this.model!.path);
    let randomVm: VisionModel | null = null;
    try {
      if (spec.test === 'data') randomVm = await loadVisionModel(paths ? paths.randomModel : this.randomModel!.path);
      const session = new SanitySession({
        kind: spec.test, vm, randomVm: randomVm ?? undefined, methods: spec.methods,
        methodOptions: { ...pickMethodOptions(spec), batchSize: spec.batchSize },
        measures: spec.measures, seed: spec.seed, layersFrom: spec.layersFrom, keepOriginalClass: spec.explainedClass === 'original',
        includeBatchNorm: spec.includeBatchNorm, batchNormStats: spec.batchNormStats,
      });
      this.loaded = { vm, randomVm, session };
      return this.loaded;
    } catch (err) {
      vm.dispose();
      randomVm?.dispose();
      throw err;
    }
  }

  /**
   * Where the trained pair is here: items from a fleet coordinator carry both models by content hash (found at the
   * coordinator's path, in the cache where this worker trained them, or fetched); otherwise the job's --train-out.
   */
  private async trainedPair(out: string, ctx: ItemContext): Promise<{ trueModel: string; randomModel: string }> {
    const randomInput = (ctx.inputs as { randomModel?: ModelInput }).randomModel;
    if (!ctx.inputs.model || !randomInput) return trainedPairPaths(out);
    const blobs = blobFetcher(ctx.blobs);
    const trueModel = (await modelHere({ model: ctx.inputs.model }, blobs)).path;
    const randomModel = (await modelHere({ model: randomInput }, blobs)).path;
    return { trueModel, randomModel };
  }

  dispose(): void {
    if (!this.loaded) return;
    this.loaded.session.dispose();
    this.loaded.vm.dispose();
    this.loaded.randomVm?.dispose();
    this.loaded = null;
  }
}
