// `dixw train`: a built-in architecture trained on a labelled dataset folder, written as a LayersModel folder (a ViT: a
// dixw-vit folder, model/vit/) with its preprocessing.json and training-log.json (accuracy per epoch, the seed, and the
// label permutation if any).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import type { BackendInfo } from '../../../shared/provenance';
import { PreprocessingSchema, type Preprocessing } from '../../../shared/preprocessing';
import { indexDatasetFolder } from '../data/dataset-folder';
import { readImageFile } from '../data/image-decode';
import { buildArchitecture, isVitArchitecture } from '../model/architectures/registry';
import { saveLayersModel, writePreprocessing } from '../model/model-io';
import { modelHash } from '../model/load-model';
import { trainVitFolder } from '../model/vit/vit-train';
import { loadTrainingData } from '../train/training-data';
import { permuteLabels } from '../train/permute-labels';
import { trainModel, type EpochLog, type TrainProgress } from '../train/train-model';
import { requireActiveBackend } from '../backend/select-backend';

export interface TrainRunOptions {
  data: string;
  arch: string;
  epochs: number;
  out: string;
  /** [H, W, C]; default: the first image's size, 1 channel if it is grayscale. */
  input?: [number, number, number];
  permuteLabels: boolean;
  seed: number;
  width?: number;
  batchNorm?: boolean;
  batchSize?: number;
  learningRate?: number;
  valSplit?: number;
  limit?: number;
  stopAtAccuracy?: number;
  backend: BackendInfo;
  appVersion: string;
}

export interface TrainRunSummary {
  out: string;
  modelHash: string;
  arch: string;
  input: [number, number, number];
  images: number;
  skipped: Array<{ path: string; reason: string }>;
  epochs: EpochLog[];
  finalTrainAccuracy: number;
  seconds: number;
}

function inferInputShape(firstImage: string): [number, number, number] {
  const img = readImageFile(firstImage);
  let gray = true;
  for (let i = 0; i < img.rgba.length && gray; i += 4) gray = img.rgba[i] === img.rgba[i + 1] && img.rgba[i] === img.rgba[i + 2];
  return [img.height, img.width, gray ? 1 : 3];
}

export async function runTrain(o: TrainRunOptions, onProgress?: (p: TrainProgress) => void): Promise<TrainRunSummary> {
  requireActiveBackend(o.backend);
  const t0 = performance.now();
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new UserError(`--epochs must be a positive integer (got ${o.epochs}).`);
  const index = indexDatasetFolder(o.data);
  const first = index.entries.find((e) => e.label !== null);
  if (!first) throw new UserError(`No labelled images in ${index.root}.`, 'Use one subfolder per class, or a labels.csv.');
  const input = o.input ?? inferInputShape(first.absPath);
  const prep: Preprocessing = PreprocessingSchema.parse({ height: input[0], width: input[1], channels: input[2], classNames: index.classNames });
  const data = loadTrainingData(index, prep, o.limit);
  const labels = o.permuteLabels ? permuteLabels(data.labels, o.seed) : data.labels;
  const trainOptions = {
    epochs: o.epochs, batchSize: o.batchSize ?? 32, learningRate: o.learningRate ?? 1e-3, seed: o.seed,
    valSplit: o.valSplit ?? 0.1, stopAtAccuracy: o.stopAtAccuracy,
  };
  const epochs = isVitArchitecture(o.arch)
    ? await trainVitFolder({ inputShape: input, numClasses: data.numClasses, width: o.width, batchNorm: o.batchNorm, seed: o.seed, out: o.out,
      preprocessing: { ...prep, classNames: data.classNames } }, { ...data, labels }, trainOptions, onProgress)
    : await trainLayersFolder(o, input, data.numClasses, { ...data, labels }, trainOptions, { ...prep, classNames: data.classNames }, onProgress);
  const summary: TrainRunSummary = {
    out: o.out, modelHash: modelHash(o.out), arch: o.arch, input, images: data.count, skipped: data.skipped, epochs,
    finalTrainAccuracy: epochs[epochs.length - 1].trainAccuracy, seconds: (performance.now() - t0) / 1000,
  };
  writeFileSync(join(o.out, 'training-log.json'), JSON.stringify({
    arch: o.arch, width: o.width ?? 1, batchNorm: o.batchNorm ?? false, input, dataset: index.root, datasetHash: index.hash,
    permuteLabels: o.permuteLabels, seed: o.seed, batchSize: o.batchSize ?? 32, learningRate: o.learningRate ?? 1e-3,
    valSplit: o.valSplit ?? 0.1, images: data.count, skipped: data.skipped, epochs, backend: o.backend, appVersion: o.appVersion,
    modelHash: summary.modelHash, finishedAt: new Date().toISOString(),
  }, null, 2) + '\n');
  return summary;
}

async function trainLayersFolder(o: TrainRunOptions, input: [number, number, number], numClasses: number, data: Parameters<typeof trainModel>[1],
  opts: Parameters<typeof trainModel>[2], prep: Preprocessing, onProgress?: (p: TrainProgress) => void): Promise<EpochLog[]> {
  const model = buildArchitecture(o.arch, { inputShape: input, numClasses, width: o.width, batchNorm: o.batchNorm, seed: o.seed });
  try {
    const epochs = await trainModel(model, data, opts, onProgress);
    await saveLayersModel(model, o.out);
    writePreprocessing(o.out, prep);
    return epochs;
  } finally {
    model.dispose();
  }
}
