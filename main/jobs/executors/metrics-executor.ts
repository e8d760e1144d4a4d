// A metrics job in the worker (docs/methods.md §4): prepare() checks the inputs, starts the backend, loads the model, plans
// every configuration (a method with its options: the table's columns) and every metric once; each item is one image:
// its map for every configuration, reused from the store when one exists for the same model, image, method, version,
// parameters, target class and cut points (the explain job's content address), else computed (and stored per
// keepMaps); then every metric on every map, stored as one score row per (configuration, metric) with the metric's
// protocol card as provenance and the curve or counts behind the value as detail. The table is rebuilt from those
// rows by metricsTable (main/jobs/metrics-results.ts), so what a job stores is all a table needs.
import type { JsonValue } from '../../../shared/json';
import type { MetricsItemOutput, ScoredVariant } from '../../../shared/job-outputs';
import type { MetricsSpec } from '../../../shared/job-spec';
import type { ScoreResult } from '../../../shared/item-result';
import type { WorkItem } from '../../../shared/worker-protocol';
import { checkTargetClass } from '../../engine/explain/classify';
import { explainImage, planMethods, type ExplainedMap, type PlannedMethod } from '../../engine/explain/explain-image';
import { readImageFile } from '../../engine/data/image-decode';
import { maskFromDecoded } from '../../engine/data/dataset-load';
import { resizeBilinear } from '../../engine/data/image-to-input';
import { ImageState } from '../../engine/metrics/image-state';
import type { ImageScore } from '../../engine/metrics/metric';
import { planMetrics, type PlannedMetric } from '../../engine/metrics/registry';
import { scoreMaps } from '../../engine/metrics/score-maps';
import type { VisionModel } from '../../engine/model/vision-model';
import { tf } from '../../engine/tf';
import { APP_VERSION } from '../app-version';
import { blobFetcher } from '../blob-fetcher';
import { specMetricOptions, specVariants, variantOptions } from '../../../shared/metrics-spec';
import { needsMasks } from '../../../shared/metric-catalogue';
import type { ComputedMap, ExecutorResult, ItemContext, JobContext } from '../executor';
import type { DatasetInput } from './input-checks';
import { maskFileHere } from './item-image';
import { findStoredMaps, openImageItem } from './item-prologue';
import { prepareModelJob } from './job-prologue';
import { mapProvenance, type MapContext, type MapRecipe } from './map-provenance';
import { recipeOf } from './method-recipe';
import { atSourceResolution } from './stored-map-values';
import { decodeMap, encodeMap } from '../../store/map-codec';

interface PlannedVariant {
  name: string;
  planned: PlannedMethod;
  recipe: MapRecipe;
}

export class MetricsJob {
  private constructor(
    private readonly spec: MetricsSpec,
    private readonly vm: VisionModel,
    private readonly dataset: DatasetInput,
    private readonly variants: PlannedVariant[],
    private readonly metrics: PlannedMetric[],
    private readonly context: MapContext,
  ) {}

  static async prepare(spec: MetricsSpec, ctx: JobContext): Promise<MetricsJob> {
    return prepareModelJob(spec.backend, ctx, ({ dataset, model, backend, vm }) => {
      const variants = specVariants(spec).map((v) => {
        const [planned] = planMethods(vm, [v.method], variantOptions(spec, v));
        return { name: v.name, planned, recipe: recipeOf(vm, planned) };
      });
      checkTargetClass(vm, spec.targetClass);
      const metrics = planMetrics(spec.metrics, specMetricOptions(spec));
      const context: MapContext = { modelHash: model.hash, datasetHash: dataset.hash, seed: spec.seed ?? 0, backend, appVersion: APP_VERSION };
      return new MetricsJob(spec, vm, dataset, variants, metrics, context);
    });
  }

  async runItem(item: WorkItem, ctx: ItemContext): Promise<ExecutorResult> {
    const backend = this.context.backend;
    const opened = await openImageItem(item, this.vm.preprocessing, this.dataset, ctx, { backend, image: 'relPath' });
    if (!opened.ok) return opened.skipped;
    const { payload, image } = opened;
    const { height: h, width: w, channels: c } = this.vm.preprocessing;
    const needsMask = this.metrics.some((m) => needsMasks(m.metric.id));
    let mask: Uint8Array | null = null;
    // Outside the try: a mask the coordinator sent with the wrong hash fails the item, it is not skipped.
    const maskPath = needsMask ? await maskFileHere(payload, this.dataset, blobFetcher(ctx.blobs)) : null;
    if (maskPath) {
      try {
        mask = maskFromDecoded(readImageFile(maskPath), h, w);
      } catch (err) {
        ctx.log('warn', `${payload.relPath}: its mask cannot be read (${(err as Error).message}); the segmentation metrics skip it`);
      }
    }
    const x = tf.tensor4d(image.input, [1, h, w, c]);
    // The item's ordinal is the image's position in the selection, as runMetrics' index: the same random draws.
    const state = new ImageState({ vm: this.vm, unit: image.unit, mask, index: item.ordinal, seed: this.spec.seed ?? 0,
      targetClass: this.spec.targetClass, batchSize: this.spec.metricBatchSize });
    try {
      const target = state.targetClass;
      const { keyed, stored, missing, reusedKeys } = await findStoredMaps(this.variants, target, this.context, payload.hash, ctx);
      const computed = new Map<string, ExplainedMap>();
      const startedAt = Date.now();
      // explainImage names maps by method id: configurations of one method go in separate calls.
      for (const group of byDistinctMethod(missing)) {
        const explained = explainImage(this.vm, x, group.map((g) => g.planned), target);
        group.forEach((g) => computed.set(g.name, explained.maps.find((m) => m.methodId === g.planned.method.id)!));
      }
      const maps: ComputedMap[] = [];
      const variants: ScoredVariant[] = [];
      const values: Array<{ method: string; map: Float32Array }> = [];
      let clock = startedAt;
      for (const { name, recipe, key } of keyed) {
        const made = computed.get(name);
        // Scored as stored (the codec keeps a map within 5e-4 after min-max): a later job that reuses this map then
        // scores exactly what this one did, and a stored score can be recomputed from the stored map.
        const blob = made ? encodeMap(made.map, made.height, made.width) : null;
        if (made && blob) {
          const from = new Date(clock).toISOString();
          clock += made.millis;
          maps.push({ imageId: payload.imageId, imageHash: payload.hash, values: made.map, height: made.height, width: made.width, blob,
            provenance: mapProvenance(recipe, target, this.context, from, new Date(clock).toISOString()) });
        }
        const r = atSourceResolution(blob ? decodeMap(blob) : stored.get(key)!);
        values.push({ method: name, map: r.height === h && r.width === w ? r.values : resizeBilinear(r.values, r.height, r.width, 1, h, w) });
        variants.push({ name, method: recipe.methodId, version: recipe.methodVersion, params: recipe.params, cutPoints: recipe.cutPoints,
          millis: made ? made.millis : null, reused: !made, key });
      }
      const t0 = performance.now();
      const scoredAt = new Date().toISOString();
      const scores = await scoreMaps(state, values, this.metrics);
      const metricMillis = performance.now() - t0;
      const finishedAt = new Date().toISOString();
      const rows: ScoreResult[] = [];
      for (const v of keyed) {
        for (const { metric, params } of this.metrics) {
          const s = scores[v.name][metric.id];
          const finite = s.value !== null && Number.isFinite(s.value);
          rows.push({
            metric: metric.id,
            method: v.name,
            imageId: payload.imageId,
            value: finite ? s.value : null,
            detail: scoreDetail(s, finite, v, target),
            provenance: {
              id: metric.id, version: metric.version, params: params as Record<string, JsonValue>, cutPoints: v.recipe.cutPoints,
              targetClass: target, modelHash: this.context.modelHash, datasetHash: this.context.datasetHash, seed: this.context.seed,
              backend, appVersion: APP_VERSION, startedAt: scoredAt, finishedAt,
            },
          });
        }
      }
      const output: MetricsItemOutput = {
        kind: 'image', image: payload.relPath, label: payload.label, targetClass: target, predictedClass: state.cleanClass,
        targetProbability: state.targetProbability, variants, metricMillis,
      };
      return { maps, reusedMapKeys: reusedKeys, scores: rows, output, backend };
    } finally {
      x.dispose();
      state.dispose();
    }
  }

  dispose(): void {
    this.vm.dispose();
  }
}

/** What a table needs besides the value (the curve, the counts, why it was skipped) and which map was scored. */
function scoreDetail(s: ImageScore, finite: boolean, v: PlannedVariant & { key: string }, targetClass: number): JsonValue {
  const detail: Record<string, JsonValue> = {
    map: { key: v.key, method: v.recipe.methodId, version: v.recipe.methodVersion, params: v.recipe.params, targetClass },
  };
  if (s.curve) detail.curve = { x: s.curve.x.map(jsonNumber), y: s.curve.y.map(jsonNumber) };
  if (s.counts) detail.counts = Object.fromEntries(Object.entries(s.counts).map(([k, n]) => [k, jsonNumber(n)]));
  if (s.skipped) detail.skipped = s.skipped;
  else if (!finite) detail.skipped = 'not a finite number';
  return detail;
}

function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Splits configurations into groups with distinct method ids (one explainImage call each), keeping their order. */
function byDistinctMethod<T extends { planned: PlannedMethod }>(list: T[]): T[][] {
  const groups: T[][] = [];
  for (const v of list) {
    const g = groups.find((x) => !x.some((y) => y.planned.method.id === v.planned.method.id));
    if (g) g.push(v);
    else groups.push([v]);
  }
  return groups;
}
