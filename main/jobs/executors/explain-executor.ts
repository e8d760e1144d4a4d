// An explain job in the worker: prepare() checks the inputs, starts the backend, loads the model and plans the
// methods once; each item explains one image. Maps already stored for the same model, image, method, version,
// parameters, target class and cut points are reused (content-addressed) instead of computed.
import type { ExplainSpec } from '../../../shared/job-spec';
import type { ExplainItemOutput, ExplainedMethod } from '../../../shared/job-outputs';
import type { JsonValue } from '../../../shared/json';
import type { BackendInfo } from '../../../shared/provenance';
import type { WorkItem } from '../../../shared/worker-protocol';
import { initBackend } from '../../engine/backend/select-backend';
import { checkTargetClass, classify } from '../../engine/explain/classify';
import { explainImage, planMethods, type ExplainedMap, type PlannedMethod } from '../../engine/explain/explain-image';
import { loadLayersModel, readPreprocessing } from '../../engine/model/model-io';
import { wrapModel, type VisionModel } from '../../engine/model/vision-model';
import type { OutputMap } from '../../engine/runs/explain-outputs';
import { tf } from '../../engine/tf';
import { APP_VERSION } from '../app-version';
import type { ComputedMap, ExecutorResult, ItemContext, JobContext } from '../executor';
import { ExplainExports } from './explain-exports';
import { requireDatasetFolder, requireUnchangedModel, type DatasetInput } from './input-checks';
import { parseImagePayload, readItemImage } from './item-image';
import { mapProvenance, recipeKey, type MapContext, type MapRecipe } from './map-provenance';
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
    const dataset = requireDatasetFolder(ctx.inputs);
    const model = requireUnchangedModel(ctx.inputs);
    const backend: BackendInfo = await initBackend(spec.backend ?? null);
    const vm = wrapModel(await loadLayersModel(model.path), readPreprocessing(model.path), model.hash, model.path);
    try {
      const plan = planMethods(vm, spec.methods, {
        steps: spec.steps, layers: spec.layers, baseline: spec.baseline, batchSize: spec.batchSize, normalizeLayers: spec.normalizeLayers,
      });
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
    } catch (err) {
      vm.model.dispose();
      throw err;
    }
  }

  async runItem(item: WorkItem, ctx: ItemContext): Promise<ExecutorResult> {
    const payload = parseImagePayload(item.payload, item.key);
    const backend = this.context.backend;
    const image = readItemImage(payload, this.vm.preprocessing, this.dataset);
    if (!image.ok) {
      ctx.log('warn', `skipped ${payload.path}: ${image.reason}`);
      const output: ExplainItemOutput = { kind: 'skipped', image: payload.path, reason: image.reason };
      return { output, backend };
    }
    const { height: h, width: w, channels: c } = this.vm.preprocessing;
    const x = tf.tensor4d(image.input, [1, h, w, c]);
    try {
      const cls = classify(this.vm, x, this.spec.targetClass);
      const keyed = this.recipes.map((r) => ({ ...r, key: recipeKey(r.recipe, cls.targetClass, this.context, payload.hash) }));
      const stored = await ctx.findStoredMaps(keyed.map((k) => k.key));
      const missing = keyed.filter((k) => !stored.has(k.key));
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
            provenance: mapProvenance(recipe, cls.targetClass, this.context, from, new Date(clock).toISOString()),
          });
          outputs.push({ methodId: recipe.methodId, map: computed.map, height: computed.height, width: computed.width });
        } else {
          const reused = atSourceResolution(stored.get(key)!);
          outputs.push({ methodId: recipe.methodId, map: reused.values, height: reused.height, width: reused.width });
        }
        methods.push({ id: recipe.methodId, version: recipe.methodVersion, params: recipe.params, cutPoints: recipe.cutPoints,
          millis: computed ? computed.millis : null, reused: !computed, key });
      }
      this.exports?.writeImage(this.vm.preprocessing, payload.relPath, image.unit, image.input, outputs, {
        targetClass: cls.targetClass, predictedClass: cls.predictedClass, label: payload.label,
        methods: Object.fromEntries(methods.map((m) => [m.id, { cutPoints: m.cutPoints, steps: typeof m.params.steps === 'number' ? m.params.steps : null, reused: m.reused }])),
      });
      const output: ExplainItemOutput = {
        kind: 'image', image: payload.relPath, label: payload.label, targetClass: cls.targetClass, predictedClass: cls.predictedClass,
        targetProbability: cls.targetProbability, methods,
      };
      return { maps, reusedMapKeys: keyed.filter((k) => stored.has(k.key)).map((k) => k.key), output, backend };
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    this.vm.model.dispose();
  }
}

/** The method's parameters and cut points as explainImage will use them (IG's map is taken at the input). */
function recipeOf(vm: VisionModel, planned: PlannedMethod): MapRecipe {
  const used = planned.method.cutPoints(vm, planned.params).map((c) => c.name);
  return {
    methodId: planned.method.id,
    methodVersion: planned.method.version,
    params: JSON.parse(JSON.stringify(planned.params)) as Record<string, JsonValue>,
    cutPoints: used.length ? used : ['input'],
  };
}
