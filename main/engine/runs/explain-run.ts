// `dixw explain`: every image of a dataset through the chosen methods, one map per method at input resolution,
// written as raw .npy maps (with the exact input tensors and targets.json, so that a map can be checked elsewhere)
// and/or colormapped PNG overlays. Unreadable images are skipped and reported by path; the run goes on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../tf';
import { UserError } from '../errors';
import type { BackendInfo } from '../../../shared/provenance';
import { indexDatasetFolder, type DatasetIndex } from '../data/dataset-folder';
import { loadImagePair } from '../data/dataset-load';
import { loadVisionModel } from '../model/load-model';
import { selectEntries } from '../data/select-entries';
import { explainImage, planMethods, type ExplainedImage, type PlannedMethod } from '../explain/explain-image';
import type { MethodOptions } from '../explain/method';
import { writeExplainOutputs } from './explain-outputs';
import { requireActiveBackend } from '../backend/select-backend';

export interface ExplainRunOptions {
  model: string;
  data: string;
  methods: string[];
  options: MethodOptions;
  targetClass?: number | null;
  limit?: number;
  /** Take at most this many images of each class (the first ones by path), for a balanced sample. */
  perClass?: number;
  npyDir?: string;
  pngDir?: string;
  colormap?: string;
  opacity?: number;
  backend: BackendInfo;
}

export interface ExplainRunImage {
  image: string;
  label: number | null;
  targetClass: number;
  predictedClass: number;
  targetProbability: number;
  millis: Record<string, number>;
}

export interface ExplainRunSummary {
  model: { path: string; hash: string };
  dataset: { path: string; hash: string; images: number };
  methods: Array<{ id: string; version: number; params: Record<string, unknown> }>;
  backend: BackendInfo;
  images: ExplainRunImage[];
  skipped: Array<{ image: string; reason: string }>;
  /** Median milliseconds per image, per method. */
  medianMillis: Record<string, number>;
  seconds: number;
}

export interface ExplainRunProgress {
  done: number;
  total: number;
  image: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

export async function runExplain(o: ExplainRunOptions, onProgress?: (p: ExplainRunProgress) => void): Promise<ExplainRunSummary> {
  requireActiveBackend(o.backend);
  const t0 = performance.now();
  const vm = await loadVisionModel(o.model);
  const index: DatasetIndex = indexDatasetFolder(o.data);
  if (o.methods.length === 0) throw new UserError('No methods given.', 'Give --methods, e.g. --methods dix3,gradcam,ig.');
  const plan: PlannedMethod[] = planMethods(vm, o.methods, o.options);
  if (o.targetClass !== undefined && o.targetClass !== null && (o.targetClass < 0 || o.targetClass >= vm.numClasses)) {
    throw new UserError(`Target class ${o.targetClass} is out of range: the model has ${vm.numClasses} classes (0..${vm.numClasses - 1}).`);
  }
  const entries = selectEntries(index.entries, o.perClass, o.limit);
  const images: ExplainRunImage[] = [];
  const skipped: ExplainRunSummary['skipped'] = [];
  const targets: Record<string, unknown> = {};
  for (const [i, entry] of entries.entries()) {
    onProgress?.({ done: i, total: entries.length, image: entry.relPath });
    let pair: { unit: Float32Array; input: Float32Array };
    try {
      pair = loadImagePair(entry, vm.preprocessing);
    } catch (e) {
      skipped.push({ image: entry.absPath, reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const { height: h, width: w, channels: c } = vm.preprocessing;
    const x = tf.tensor4d(pair.input, [1, h, w, c]);
    let r: ExplainedImage;
    try {
      r = explainImage(vm, x, plan, o.targetClass);
    } finally {
      x.dispose();
    }
    writeExplainOutputs(o, vm.preprocessing, entry.relPath, pair.unit, pair.input, r.maps);
    images.push({ image: entry.relPath, label: entry.label, targetClass: r.targetClass, predictedClass: r.predictedClass,
      targetProbability: r.targetProbability, millis: Object.fromEntries(r.maps.map((m) => [m.methodId, m.millis])) });
    targets[entry.relPath] = { targetClass: r.targetClass, predictedClass: r.predictedClass, label: entry.label,
      methods: Object.fromEntries(r.maps.map((m) => [m.methodId, { cutPoints: m.cutPoints, steps: m.params.steps ?? null }])) };
    await new Promise((res) => setImmediate(res));
  }
  onProgress?.({ done: entries.length, total: entries.length, image: '' });
  const methods = plan.map((p) => ({ id: p.method.id, version: p.method.version, params: p.params }));
  if (o.npyDir) {
    mkdirSync(o.npyDir, { recursive: true });
    writeFileSync(join(o.npyDir, 'targets.json'), JSON.stringify({ model: vm.path, modelHash: vm.hash, dataset: index.root,
      datasetHash: index.hash, backend: o.backend, methods, preprocessing: vm.preprocessing, images: targets }, null, 2) + '\n');
  }
  return {
    model: { path: vm.path ?? o.model, hash: vm.hash },
    dataset: { path: index.root, hash: index.hash, images: entries.length },
    methods,
    backend: o.backend,
    images,
    skipped,
    medianMillis: Object.fromEntries(plan.map((p) => [p.method.id, median(images.map((im) => im.millis[p.method.id]))])),
    seconds: (performance.now() - t0) / 1000,
  };
}
