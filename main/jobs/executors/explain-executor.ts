// An explain job in the worker: prepare() checks the inputs, starts the backend, loads the model and plans the
// methods once; each item explains one image. Maps already stored for the same model, image, method, version,
// parameters, target class and cut points are reused (content-addressed) instead of computed.
import { pickMethodOptions } from '../../../shared/method-options';
import type { ExplainSpec } from '../../../shared/job-spec';
import type { ExplainItemOutput, ExplainedMethod } from '../../../shared/job-outputs';
import type { WorkItem } from '../../../shared/worker-protocol';
import { checkTargetClass, classify } from '../../engine/explain/classify';
import { explainImage, planMethods, type ExplainedMap, type PlannedMethod } from '../../engine/explain/explain-image';
import type { VisionModel } from '../../engine/model/vision-model';
import type { OutputMap } from '../../engine/runs/explain-outputs';
import { tf } from '../../engine/tf';
import { APP_VERSION } from '../app-version';
import type { ComputedMap, ExecutorResult, ItemContext, JobContext } from '../executor';
import { ExplainExports } from './explain-exports';
import type { DatasetInput } from './input-checks';
import { findStoredMaps, openImageItem } from './item-prologue';
import { prepareModelJob } from './job-prologue';
import { mapProvenance, type MapContext, type MapRecipe } from './map-provenance';
import { recipeOf } from './method-recipe';
import { atSourceResolution } from './stored-map-values';

interface PlannedRecipe {
  planned: PlannedMethod;
  recipe: MapRecipe;
}

export class ExplainJob {
  private constructor(
    private readonly spec: ExplainSpec,
    private readonly vm: VisionModel,
    private readonly dataset: DatasetInput,
    private readonly recipes: PlannedRecipe[],
    private readonly context: MapContext,
    private readonly exports: ExplainExports | null,
  ) {}

  static async prepare(spec: ExplainSpec, ctx: JobContext): Promise<ExplainJob> {
    return prepareModelJob(spec.backend, ctx, ({ dataset, model, backend, vm }) => {
      const plan = planMethods(vm, spec.methods, { ...pickMethodOptions(spec), batchSize: spec.batchSize });
      checkTargetClass(vm, spec.targetClass);
      const recipes = plan.map((planned) => ({ planned, recipe: recipeOf(vm, planned) }));
      const context: MapContext = { modelHash: model.hash, datasetHash: dataset.hash, seed: spec.seed ?? null, backend, appVersion: APP_VERSION };
      const exports = spec.export?.npy || spec.export?.png
        ? new ExplainExports(spec.export, {
            jobId: ctx.jobId, model: model.path, modelHash: model.hash, dataset: dataset.root, datasetHash: dataset.hash, backend,
            methods: recipes.map(({ recipe }) => ({ id: recipe.methodId, version: recipe.methodVersion, params: recipe.params })),
            preprocessing: vm.preprocessing,
          })
        : null;
      return new ExplainJob(spec, vm, dataset, recipes, context, exports);
    });
  }

  async runItem(item: WorkItem, ctx: ItemContext): Promise<ExecutorResult> {
    const backend = this.context.backend;
    const opened = await openImageItem(item, this.vm.preprocessing, this.dataset, ctx, { backend, image: 'path' });
    if (!opened.ok) return opened.skipped;
    const { payload, image } = opened;
    const { height: h, width: w, channels: c } = this.vm.preprocessing;
    const x = tf.tensor4d(image.input, [1, h, w, c]);
    try {
      const cls = classify(this.vm, x, this.spec.targetClass);
      const { keyed, stored, missing, reusedKeys } = await findStoredMaps(this.recipes, cls.targetClass, this.context, payload.hash, ctx);
      const startedAt = Date.now();
      const explained = missing.length === 0 ? null : explainImage(this.vm, x, missing.map((m) => m.planned), cls.targetClass);
      if (explained && explained.targetClass !== cls.targetClass) {
        throw new Error(`the target class changed between the look-up (${cls.targetClass}) and the explanation (${explained.targetClass})`);
      }
      const computedBy = new Map<string, ExplainedMap>((explained?.maps ?? []).map((m) => [m.methodId, m]));
      const maps: ComputedMap[] = [];
      const outputs: OutputMap[] = [];
      const methods: ExplainedMethod[] = [];
      let clock = startedAt;
      for (const { recipe, key } of keyed) {
        const computed = computedBy.get(recipe.methodId);
        if (computed) {
          const from = new Date(clock).toISOString();
          clock += computed.millis;
          maps.push({
            imageId: payload.imageId, imageHash: payload.hash, values: computed.map, height: computed.height, width: computed.width,
            provenance: { ...mapProvenance(recipe, cls.targetClass, this.context, from, new Date(clock).toISOString()),
              ...(computed.completeness ? { completeness: computed.completeness } : {}) },
          });
          outputs.push({ methodId: recipe.methodId, map: computed.map, height: computed.height, width: computed.width });
        } else {
          const reused = atSourceResolution(stored.get(key)!);
          outputs.push({ methodId: recipe.methodId, map: reused.values, height: reused.height, width: reused.width });
        }
        methods.push({ id: recipe.methodId, version: recipe.methodVersion, params: recipe.params, cutPoints: recipe.cutPoints,
          millis: computed ? computed.millis : null, reused: !computed, key, ...(computed?.completeness ? { completeness: computed.completeness } : {}) });
      }
      this.exports?.writeImage(this.vm.preprocessing, payload.relPath, image.unit, image.input, outputs, {
        targetClass: cls.targetClass, predictedClass: cls.predictedClass, label: payload.label,
        methods: Object.fromEntries(methods.map((m) => [m.id, { cutPoints: m.cutPoints, steps: typeof m.params.steps === 'number' ? m.params.steps : null, reused: m.reused }])),
      });
      const output: ExplainItemOutput = {
        kind: 'image', image: payload.relPath, label: payload.label, targetClass: cls.targetClass, predictedClass: cls.predictedClass,
        targetProbability: cls.targetProbability, methods,
      };
      return { maps, reusedMapKeys: reusedKeys, output, backend };
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    this.vm.dispose();
  }
}
