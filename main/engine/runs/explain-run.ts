// `dixw explain`: every image of a dataset through the chosen methods, one map per method at input resolution,
// written as raw .npy maps (with the exact input tensors and targets.json, so that a map can be checked elsewhere)
// and/or colormapped PNG overlays. Unreadable images are skipped and reported by path; the run goes on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '../tf';
import { UserError } from '../errors';
import type { BackendInfo } from '../../../shared/provenance';
import { indexDatasetFolder, type DatasetEntry, type DatasetIndex } from '../data/dataset-folder';
import { loadImagePair } from '../data/dataset-load';
import { writeNpy } from '../data/npy';
import { overlayPng } from '../data/overlay';
import { loadVisionModel, type VisionModel } from '../model/vision-model';
import { explainImage, planMethods, type ExplainedImage, type PlannedMethod } from '../explain/explain-image';
import type { MethodOptions } from '../explain/method';

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

function withoutExtension(relPath: string): string {
  return relPath.replace(/\.[^./]+$/, '');
}

/** The first `perClass` images of each class (if given), then the first `limit` of those, in path order. */
export function selectEntries(entries: DatasetEntry[], perClass?: number, limit?: number): DatasetEntry[] {
  let out = entries;
  if (perClass !== undefined) {
    const seen = new Map<number | null, number>();
    out = out.filter((e) => {
      const n = seen.get(e.label) ?? 0;
      seen.set(e.label, n + 1);
      return n < perClass;
    });
  }
  return limit !== undefined ? out.slice(0, limit) : out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

function writeOutputs(o: ExplainRunOptions, vm: VisionModel, entry: DatasetEntry, unit: Float32Array, input: Float32Array, r: ExplainedImage) {
  const { height: h, width: w, channels: c } = vm.preprocessing;
  const stem = withoutExtension(entry.relPath);
  const write = (dir: string, rel: string, f: (path: string) => void) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    f(p);
  };
  if (o.npyDir) {
    write(o.npyDir, `_input/${stem}.npy`, (p) => writeNpy(p, input, [h, w, c]));
    for (const m of r.maps) write(o.npyDir, `${m.methodId}/${stem}.npy`, (p) => writeNpy(p, m.map, [m.height, m.width]));
  }
  if (o.pngDir) {
    for (const m of r.maps) {
      write(o.pngDir, `${m.methodId}/${stem}.png`, (p) => writeFileSync(p, overlayPng(unit, m.map, { height: h, width: w, channels: c,
        colormap: o.colormap ?? 'jet', opacity: o.opacity ?? 0.5 })));
    }
  }
}

export async function runExplain(o: ExplainRunOptions, onProgress?: (p: ExplainRunProgress) => void): Promise<ExplainRunSummary> {
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
    writeOutputs(o, vm, entry, pair.unit, pair.input, r);
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
