// A loaded classifier with everything the engine needs beside the weights: how to preprocess its input, its cut
// points, and its content hash for provenance.
import { UserError } from '../errors';
import { PreprocessingSchema, type Preprocessing } from '../../../shared/preprocessing';
import { listCutPoints, type CutPoint } from './cut-points';
import { loadLayersModel, modelContentHash, readPreprocessing } from './model-io';
import type { LayersModel } from './run-from';

export interface VisionModel {
  model: LayersModel;
  preprocessing: Preprocessing;
  cuts: CutPoint[];
  numClasses: number;
  /** sha256 of model.json and weights, or of the in-memory weights for a built model. */
  hash: string;
  /** Where it was loaded from, if from disk. */
  path: string | null;
}

/** The preprocessing implied by the model's input shape, for models without preprocessing.json. */
export function defaultPreprocessing(model: LayersModel): Preprocessing {
  const shape = model.inputs[0].shape;
  const [h, w, c] = shape.slice(1);
  if (shape.length !== 4 || !h || !w || (c !== 1 && c !== 3)) {
    throw new UserError(`The model's input shape [${shape.map((d) => d ?? '?').join(', ')}] is not an image of fixed size with 1 or 3 channels.`,
      'DIX Workbench needs [batch, height, width, 1|3] inputs; re-export the model with a fixed input size.');
  }
  return PreprocessingSchema.parse({ height: h, width: w, channels: c });
}

export function checkPreprocessingMatches(model: LayersModel, prep: Preprocessing): void {
  const [, h, w, c] = model.inputs[0].shape;
  if ((h && h !== prep.height) || (w && w !== prep.width) || (c && c !== prep.channels)) {
    throw new UserError(`preprocessing.json says ${prep.height}x${prep.width}x${prep.channels} but the model takes ${h}x${w}x${c}.`,
      'Make preprocessing.json agree with the model\'s input shape.');
  }
  const n = prep.channels;
  for (const [k, v] of [['mean', prep.mean], ['std', prep.std]] as const) {
    if (v.length !== 1 && v.length !== n) throw new UserError(`preprocessing.json: ${k} has ${v.length} entries for ${n} channel(s).`, `Give one ${k} or one per channel.`);
  }
}

export function wrapModel(model: LayersModel, preprocessing: Preprocessing | null, hash: string, path: string | null): VisionModel {
  const prep = preprocessing ?? defaultPreprocessing(model);
  checkPreprocessingMatches(model, prep);
  const out = model.outputs[0].shape;
  const numClasses = out[out.length - 1] ?? 0;
  return { model, preprocessing: prep, cuts: listCutPoints(model), numClasses, hash, path };
}

export async function loadVisionModel(path: string): Promise<VisionModel> {
  const model = await loadLayersModel(path);
  return wrapModel(model, readPreprocessing(path), modelContentHash(path), path);
}
