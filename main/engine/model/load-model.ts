// Loads any model the workbench can explain, by what the path holds: a TF.js LayersModel folder (model.json and weight
// shards, preprocessing.json beside them) or an ONNX file exported from PyTorch (its preprocessing in a sidecar
// `NAME.preprocessing.json` beside `NAME.onnx`, written by `dixw model add --preprocessing`). The content hash of an
// ONNX model covers its preprocessing too, so changing how images are prepared counts as a changed model.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors';
import type { Preprocessing } from '../../../shared/preprocessing';
import type { ModelKind, VisionModel } from './vision-model';
import { MODEL_FILE, loadLayersModel, modelContentHash, modelJsonPath, readPreprocessing, readPreprocessingFile, writePreprocessing } from './model-io';
import { resolvePreprocessingChoice, type PreprocessingChoice } from './preprocessing-choice';
import { LayersVisionModel } from './layers/layers-vision-model';
import { isVitFolder, loadVit, vitContentHash } from './vit/vit-io';
import { loadOnnxVisionModel, onnxContentHash } from './onnx/load-onnx';

/** The .onnx file a path names: the file itself, or the single model.onnx in a folder without model.json. */
export function onnxFileOf(path: string): string | null {
  const p = resolve(path);
  if (!existsSync(p)) return null;
  if (statSync(p).isFile()) return p.toLowerCase().endsWith('.onnx') ? p : null;
  return !existsSync(join(p, MODEL_FILE)) && existsSync(join(p, 'model.onnx')) ? join(p, 'model.onnx') : null;
}

export function modelKindOf(path: string): ModelKind {
  if (isVitFolder(path)) return 'vit';
  return onnxFileOf(path) ? 'onnx' : 'layers';
}

/** Where an ONNX model's preprocessing is kept: `resnet18.onnx` -> `resnet18.preprocessing.json`. */
export function onnxPreprocessingPath(onnxFile: string): string {
  return onnxFile.replace(/\.onnx$/i, '') + '.preprocessing.json';
}

export function readOnnxPreprocessing(onnxFile: string): Preprocessing | null {
  return readPreprocessingFile(onnxPreprocessingPath(onnxFile),
    'Fix it, or write it again with `dixw model add MODEL.onnx --preprocessing imagenet|none|FILE.json`.');
}

/** The content hash of a model: LayersModel folder files, or the ONNX file, its external data and its preprocessing. */
export function modelHash(path: string): string {
  if (isVitFolder(path)) return vitContentHash(path);
  const onnx = onnxFileOf(path);
  if (!onnx) return modelContentHash(path);
  const h = createHash('sha256').update(onnxContentHash(onnx));
  const prep = onnxPreprocessingPath(onnx);
  if (existsSync(prep)) h.update(readFileSync(prep));
  return h.digest('hex');
}

/** Loads a model of either kind; `hash` (already known from the registry) skips re-hashing large files. */
export async function loadVisionModel(path: string, hash?: string): Promise<VisionModel> {
  if (isVitFolder(path)) return loadVit(path, hash); // a built-in ViT's folder (model.json "format": "dixw-vit")
  const onnx = onnxFileOf(path);
  if (onnx) {
    return loadOnnxVisionModel(onnx, readOnnxPreprocessing(onnx), hash ?? modelHash(onnx));
  }
  const model = await loadLayersModel(path);
  return new LayersVisionModel(model, readPreprocessing(path), hash ?? modelContentHash(path), path);
}

/** The model's stored preprocessing, if any (preprocessing.json, or the ONNX sidecar). */
export function storedPreprocessing(path: string): Preprocessing | null {
  const onnx = onnxFileOf(path);
  return onnx ? readOnnxPreprocessing(onnx) : readPreprocessing(path);
}

/**
 * Stores how the model's images are prepared (`dixw model add --preprocessing`), after checking it against the
 * model's input. An ONNX model with none stored yet must be given one: PyTorch models almost always expect
 * normalized inputs, and guessing silently would give wrong maps.
 */
export async function setModelPreprocessing(path: string, choice: PreprocessingChoice | undefined, classNames?: string[]): Promise<void> {
  const onnx = onnxFileOf(path);
  const stored = storedPreprocessing(path);
  if (choice === undefined && classNames === undefined) {
    if (onnx && !stored) {
      throw new UserError(`${path} has no preprocessing yet: the workbench needs to know how its images are prepared.`,
        'Add it with --preprocessing imagenet (torchvision\'s Resize(256) + CenterCrop(224) + ImageNet mean/std), none (pixels scaled to [0, 1]) or FILE.json, e.g. `dixw model add model.onnx --preprocessing imagenet`.');
    }
    return;
  }
  const vm = onnx ? await loadOnnxVisionModel(onnx, null, 'inspect') : await loadVisionModel(path, 'inspect');
  const input = { height: vm.preprocessing.height, width: vm.preprocessing.width, channels: vm.preprocessing.channels };
  const numClasses = vm.numClasses;
  vm.dispose();
  if (classNames && classNames.length !== numClasses) {
    throw new UserError(`The labels give ${classNames.length} class names but the model has ${numClasses} outputs.`, 'Give one name per output, in output order.');
  }
  const base = choice ?? stored ?? 'none';
  const prep = resolvePreprocessingChoice(base, input, classNames ?? (typeof base === 'object' ? base.classNames : undefined));
  if (onnx) writeFileSync(onnxPreprocessingPath(onnx), JSON.stringify(prep, null, 2) + '\n');
  else writePreprocessing(dirname(modelJsonPath(path)), prep);
}
