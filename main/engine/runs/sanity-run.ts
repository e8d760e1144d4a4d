// `dixw sanity cascading|independent|data`: a sanity test over a dataset folder (docs/methods.md §5). Per image, every
// method's maps at every step (the trained model's once), their similarities to step 0 under every measure, and per
// step a summary over images. --npy writes OUT/<method>/step-<k>/<image>.npy (raw float32 H x W; step 0 = the
// trained model, or the true-label model for the data test), the exact inputs under OUT/_input/, and sanity.json
// naming each step and each image's explained classes. Unreadable images are skipped and reported; the run goes on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '../tf';
import { UserError } from '../errors';
import type { BackendInfo } from '../../../shared/provenance';
import { indexDatasetFolder, type DatasetEntry } from '../data/dataset-folder';
import { loadImagePair } from '../data/dataset-load';
import { writeNpy } from '../data/npy';
import { loadVisionModel } from '../model/load-model';
import { type VisionModel } from '../model/vision-model';
import type { MethodOptions } from '../explain/method';
import { selectEntries } from '../data/select-entries';
import type { LayerSelection } from '../sanity/randomizable-modules';
import type { LayersFrom, RandomizationStep } from '../sanity/randomization-steps';
import { SanitySession, type SanityKind, type SanityStepResult } from '../sanity/sanity-session';
import { summarizeSteps, type SimilarityValue, type StepSummary } from '../sanity/step-summaries';
import { requireActiveBackend } from '../backend/select-backend';

export interface SanityRunOptions extends LayerSelection {
  model: string;
  data: string;
  kind: SanityKind;
  methods: string[];
  methodOptions?: MethodOptions;
  /** Similarity measure ids; default all. */
  measures?: string[];
  limit?: number;
  /** At most this many images per class (the first by path), before `limit`. */
  perClass?: number;
  seed: number;
  layersFrom?: LayersFrom;
  /** Data test: the model trained on permuted labels. */
  randomModel?: string;
  keepOriginalClass?: boolean;
  npyDir?: string;
  backend: BackendInfo;
}

export interface SanityRunImage {
  image: string;
  label: number | null;
  steps: Array<{ step: number; targetClass: number; predictedClass: number; similarities: SanityStepResult['similarities'] }>;
}

export interface SanityRunResult {
  kind: SanityKind;
  model: { path: string; hash: string };
  randomModel: { path: string; hash: string } | null;
  dataset: { path: string; hash: string; images: number };
  methods: Array<{ id: string; version: number; params: Record<string, unknown> }>;
  measures: Array<{ id: string; version: number }>;
  /** Everything else that decides the numbers, for provenance. */
  settings: { seed: number; layersFrom: LayersFrom; keepOriginalClass: boolean; includeBatchNorm: boolean; batchNormStats: 'keep' | 'reset' };
  /** Step 0 first; label = the layer the step randomizes ('trained', or 'true-labels'/'random-labels'). */
  steps: RandomizationStep[];
  images: SanityRunImage[];
  summaries: StepSummary[];
  /** Measures undefined at this input size, with the reason. */
  notes: string[];
  skipped: Array<{ image: string; reason: string }>;
  backend: BackendInfo;
  /** Median milliseconds per image and step, all methods together. */
  medianMillisPerStep: number;
  seconds: number;
}

export interface SanityRunProgress {
  done: number;
  total: number;
  image: string;
}

function withoutExtension(relPath: string): string {
  return relPath.replace(/\.[^./]+$/, '');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

function writeFile(dir: string, rel: string, write: (path: string) => void): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  write(p);
}

function writeImageNpy(dir: string, vm: VisionModel, entry: DatasetEntry, input: Float32Array, steps: SanityStepResult[]): void {
  const stem = withoutExtension(entry.relPath);
  const { height: h, width: w, channels: c } = vm.preprocessing;
  writeFile(dir, `_input/${stem}.npy`, (p) => writeNpy(p, input, [h, w, c]));
  for (const s of steps) for (const m of s.maps) writeFile(dir, `${m.methodId}/step-${s.step}/${stem}.npy`, (p) => writeNpy(p, m.map, [m.height, m.width]));
}

export async function runSanity(o: SanityRunOptions, onProgress?: (p: SanityRunProgress) => void): Promise<SanityRunResult> {
  requireActiveBackend(o.backend);
  const t0 = performance.now();
  if (o.kind !== 'data' && o.randomModel) throw new UserError(`A second model is only used by the data randomization test, not by ${o.kind}.`);
  const vm = await loadVisionModel(o.model);
  const randomVm = o.randomModel ? await loadVisionModel(o.randomModel) : undefined;
  try {
    return await runOnModels(o, vm, randomVm, t0, onProgress);
  } finally {
    vm.dispose();
    randomVm?.dispose();
  }
}

async function runOnModels(o: SanityRunOptions, vm: VisionModel, randomVm: VisionModel | undefined, t0: number,
  onProgress?: (p: SanityRunProgress) => void): Promise<SanityRunResult> {
  const index = indexDatasetFolder(o.data);
  const session = new SanitySession({ ...o, vm, randomVm, layersFrom: o.layersFrom ?? 'top' });
  try {
    const entries = selectEntries(index.entries, o.perClass, o.limit);
    const images: SanityRunImage[] = [];
    const values: SimilarityValue[] = [];
    const skipped: SanityRunResult['skipped'] = [];
    const millis: number[] = [];
    const { height: h, width: w, channels: c } = vm.preprocessing;
    for (const [i, entry] of entries.entries()) {
      onProgress?.({ done: i, total: entries.length, image: entry.relPath });
      let input: Float32Array;
      try {
        input = loadImagePair(entry, vm.preprocessing).input;
      } catch (e) {
        skipped.push({ image: entry.absPath, reason: e instanceof Error ? e.message : String(e) });
        continue;
      }
      const x = tf.tensor4d(input, [1, h, w, c]);
      let steps: SanityStepResult[];
      try {
        steps = session.explainImage(x);
      } finally {
        x.dispose();
      }
      if (o.npyDir) writeImageNpy(o.npyDir, vm, entry, input, steps);
      images.push({ image: entry.relPath, label: entry.label,
        steps: steps.map((s) => ({ step: s.step, targetClass: s.targetClass, predictedClass: s.predictedClass, similarities: s.similarities })) });
      for (const s of steps) {
        millis.push(s.millis);
        for (const [method, byMeasure] of Object.entries(s.similarities)) {
          for (const [measure, value] of Object.entries(byMeasure)) values.push({ step: s.step, method, measure, value });
        }
      }
      await new Promise((res) => setImmediate(res));
    }
    onProgress?.({ done: entries.length, total: entries.length, image: '' });
    const result: SanityRunResult = {
      kind: o.kind,
      model: { path: vm.path ?? o.model, hash: vm.hash },
      randomModel: randomVm ? { path: randomVm.path ?? o.randomModel ?? '', hash: randomVm.hash } : null,
      dataset: { path: index.root, hash: index.hash, images: images.length },
      methods: session.plan.map((p) => ({ id: p.method.id, version: p.method.version, params: p.params })),
      measures: session.measures.map((m) => ({ id: m.id, version: m.version })),
      settings: { seed: o.seed, layersFrom: o.layersFrom ?? 'top', keepOriginalClass: o.keepOriginalClass ?? false,
        includeBatchNorm: o.includeBatchNorm ?? false, batchNormStats: o.batchNormStats ?? 'keep' },
      steps: session.steps,
      images,
      summaries: summarizeSteps(values, new Map(session.steps.map((s) => [s.step, s.label])), o.seed),
      notes: session.inapplicableMeasures().map((m) => `${m.measure} is undefined here: ${m.reason}.`),
      skipped,
      backend: o.backend,
      medianMillisPerStep: median(millis),
      seconds: (performance.now() - t0) / 1000,
    };
    if (o.npyDir) writeManifest(o.npyDir, result, vm);
    return result;
  } finally {
    session.dispose();
  }
}

/** sanity.json beside the maps: what each step is and which class each map explains. */
function writeManifest(dir: string, r: SanityRunResult, vm: VisionModel): void {
  mkdirSync(dir, { recursive: true });
  const images = Object.fromEntries(r.images.map((im) => [im.image, {
    label: im.label, steps: im.steps.map((s) => ({ step: s.step, targetClass: s.targetClass, predictedClass: s.predictedClass })),
  }]));
  writeFileSync(join(dir, 'sanity.json'), JSON.stringify({
    kind: r.kind, model: r.model, randomModel: r.randomModel, dataset: r.dataset, methods: r.methods, measures: r.measures,
    settings: r.settings, steps: r.steps, preprocessing: vm.preprocessing, backend: r.backend, images,
  }, null, 2) + '\n');
}
