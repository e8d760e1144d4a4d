// `dixw metrics` as an engine call: every image of a dataset through the chosen methods (explainImage; or maps the
// caller already has), every map through the chosen metrics, then a table of methods x metrics with each cell's
// dataset value, its 95% bootstrap interval over images, and per metric the paired Wilcoxon test (Holm-corrected) of
// the best method against each other. Per-image values and curves come back too, and each image's results are handed
// to onImage as soon as they exist, so that a job can store them as it goes. Unreadable images are skipped by path.
import { tf } from '../tf';
import { UserError } from '../errors';
import type { BackendInfo } from '../../../shared/provenance';
import { needsMasks } from '../../../shared/metric-catalogue';
import { indexDatasetFolder, type DatasetEntry, type DatasetIndex } from '../data/dataset-folder';
import { loadImagePair, loadMask } from '../data/dataset-load';
import { loadVisionModel } from '../model/load-model';
import { type VisionModel } from '../model/vision-model';
import { explainImage, planMethods, type PlannedMethod } from '../explain/explain-image';
import type { MethodOptions } from '../explain/method';
import type { Aggregate, Curve, Direction, ImageScore, MetricCard, MetricOptions } from '../metrics/metric';
import { planMetrics, type PlannedMetric } from '../metrics/registry';
import { ImageState } from '../metrics/image-state';
import { scoreMaps } from '../metrics/score-maps';
import { bootstrapIndices, type Interval } from '../stats/bootstrap';
import { compareToBest, type PairedTest } from '../stats/compare';
import { selectEntries } from '../data/select-entries';
import { mixSeed } from '../data/rng';
import { requireActiveBackend } from '../backend/select-backend';

export interface MetricsRunOptions {
  /** A model folder or an already loaded model. */
  model: string | VisionModel;
  /** A dataset folder or its index. */
  data: string | DatasetIndex;
  methods: string[];
  /** Metric ids; "seg" stands for pa, miou, map, mf1 and "all" for every metric. */
  metrics: string[];
  limit?: number;
  /** At most this many images of each class (the first by path), for a balanced sample. */
  perClass?: number;
  /** Seeds SmoothGrad's noise, SIC/AIC's random pixels and the bootstrap. */
  seed: number;
  backend: BackendInfo;
  methodOptions?: MethodOptions;
  metricOptions?: MetricOptions;
  targetClass?: number | null;
  /** Perturbed images per model call (speed and memory only). Default 16. */
  batchSize?: number;
  /** Bootstrap resamples per table cell; default 2000. */
  resamples?: number;
  /** A stored map for (image, method), to be reused instead of explaining again; null to compute it. */
  reuseMap?: (entry: DatasetEntry, method: PlannedMethod) => Float32Array | null;
  /**
   * What a computed map is scored as: e.g. its stored form, as a metrics job scores it (the store's codec keeps maps
   * within 5e-4); default the map itself. The engine knows no codec: the caller brings it.
   */
  asStored?: (map: Float32Array, height: number, width: number) => Float32Array;
  /** Called once per image with its results and its raw maps (which the summary does not keep: they can be large). */
  onImage?: (result: MetricsRunImage, maps: Record<string, Float32Array>) => void;
}

export interface MetricsRunImage {
  image: string;
  label: number | null;
  targetClass: number;
  predictedClass: number;
  targetProbability: number;
  /** Per method: the milliseconds its map took (0 when reused). */
  maps: Record<string, { millis: number; reused: boolean }>;
  /** scores[method][metric]. */
  scores: Record<string, Record<string, ImageScore>>;
}

export interface MetricsTableCell {
  method: string;
  value: number;
  interval: Interval;
  images: number;
  skipped: Record<string, number>;
  curve?: Curve;
}

export interface MetricsTableRow {
  metric: MetricCard;
  title: string;
  direction: Direction;
  cells: MetricsTableCell[];
  best: string | null;
  /** The best method against each other one. */
  tests: PairedTest[];
}

export interface MetricsRunSummary {
  model: { path: string | null; hash: string };
  dataset: { path: string; hash: string; images: number };
  methods: Array<{ id: string; version: number; params: Record<string, unknown> }>;
  metrics: MetricCard[];
  seed: number;
  backend: BackendInfo;
  images: MetricsRunImage[];
  skipped: Array<{ image: string; reason: string }>;
  table: MetricsTableRow[];
  seconds: number;
}

export interface MetricsRunProgress {
  done: number;
  total: number;
  image: string;
}

/** The table from per-image scores: pure, so that a job can rebuild it from stored scores. */
export function metricsTable(methods: string[], metrics: PlannedMetric[], images: Array<Pick<MetricsRunImage, 'scores'>>,
  seed: number, resamples = 2000): MetricsTableRow[] {
  return metrics.map(({ metric, params }, m) => {
    const cells = methods.map((method, k) => {
      const scores = images.map((im) => im.scores[method]?.[metric.id] ?? { value: null, skipped: 'not scored' });
      const agg: Aggregate = metric.aggregate(scores, params);
      // Resample images, not scores: a skipped image stays skipped in a resample.
      const statistic = metric.resampler?.(scores, params) ?? ((idx: Int32Array) => metric.aggregate(Array.from(idx, (i) => scores[i]), params).value);
      const interval = bootstrapIndices(scores.length, statistic, { seed: mixSeed(seed, m, k), resamples });
      return { method, value: agg.value, interval, images: agg.images, skipped: agg.skipped, curve: agg.curve, perImage: scores.map((s) => s.value) };
    });
    const { best, tests } = compareToBest(cells, metric.direction);
    return { metric: { id: metric.id, version: metric.version, params }, title: metric.title, direction: metric.direction,
      cells: cells.map(({ perImage: _, ...c }) => c), best, tests };
  });
}

export async function runMetrics(o: MetricsRunOptions, onProgress?: (p: MetricsRunProgress) => void): Promise<MetricsRunSummary> {
  requireActiveBackend(o.backend);
  const t0 = performance.now();
  const vm = typeof o.model === 'string' ? await loadVisionModel(o.model) : o.model;
  const index = typeof o.data === 'string' ? indexDatasetFolder(o.data) : o.data;
  if (o.methods.length === 0) throw new UserError('No methods given.', 'Give --methods, e.g. --methods dix3,gradcam,ig.');
  if (o.metrics.length === 0) throw new UserError('No metrics given.', 'Give --metrics, e.g. --metrics neg,pos,ins,del,adp,pic,sic,aic,seg.');
  const plan = planMethods(vm, o.methods, { ...o.methodOptions, seed: o.seed } as MethodOptions);
  const metrics = planMetrics(o.metrics, o.metricOptions);
  const needsMask = metrics.some((m) => needsMasks(m.metric.id));
  const entries = selectEntries(index.entries, o.perClass, o.limit);
  if (needsMask && !entries.some((e) => e.maskPath)) {
    throw new UserError(`The segmentation metrics need ground-truth masks, and ${index.root} has none.`,
      'Put masks in a masks/ folder mirroring the image paths, or leave out pa, miou, map, mf1.');
  }
  const { height: h, width: w, channels: c } = vm.preprocessing;
  const images: MetricsRunImage[] = [];
  const skipped: MetricsRunSummary['skipped'] = [];
  for (const [i, entry] of entries.entries()) {
    onProgress?.({ done: i, total: entries.length, image: entry.relPath });
    let pair: { unit: Float32Array; input: Float32Array };
    let mask: Uint8Array | null;
    try {
      pair = loadImagePair(entry, vm.preprocessing);
      mask = needsMask ? loadMask(entry, h, w) : null;
    } catch (e) {
      skipped.push({ image: entry.absPath, reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const reused = new Map(plan.map((p) => [p.method.id, o.reuseMap?.(entry, p) ?? null]));
    const todo = plan.filter((p) => !reused.get(p.method.id));
    const x = tf.tensor4d(pair.input, [1, h, w, c]);
    const state = new ImageState({ vm, unit: pair.unit, mask, index: i, seed: o.seed, targetClass: o.targetClass, batchSize: o.batchSize });
    try {
      const explained = todo.length ? explainImage(vm, x, todo, state.targetClass).maps : [];
      const info: MetricsRunImage['maps'] = {};
      const maps: Record<string, Float32Array> = {};
      for (const p of plan) {
        const r = reused.get(p.method.id);
        const e = explained.find((m) => m.methodId === p.method.id)!;
        maps[p.method.id] = r ?? (o.asStored ? o.asStored(e.map, e.height, e.width) : e.map);
        info[p.method.id] = { millis: r ? 0 : e.millis, reused: !!r };
      }
      const scores = await scoreMaps(state, Object.entries(maps).map(([method, map]) => ({ method, map })), metrics);
      const result: MetricsRunImage = { image: entry.relPath, label: entry.label, targetClass: state.targetClass,
        predictedClass: state.cleanClass, targetProbability: state.targetProbability, maps: info, scores };
      images.push(result);
      o.onImage?.(result, maps);
    } finally {
      x.dispose();
      state.dispose();
    }
    await new Promise((res) => setImmediate(res));
  }
  onProgress?.({ done: entries.length, total: entries.length, image: '' });
  return {
    model: { path: vm.path, hash: vm.hash },
    dataset: { path: index.root, hash: index.hash, images: images.length },
    methods: plan.map((p) => ({ id: p.method.id, version: p.method.version, params: p.params })),
    metrics: metrics.map((m) => ({ id: m.metric.id, version: m.metric.version, params: m.params })),
    seed: o.seed,
    backend: o.backend,
    images,
    skipped,
    table: metricsTable(plan.map((p) => p.method.id), metrics, images, o.seed, o.resamples),
    seconds: (performance.now() - t0) / 1000,
  };
}
