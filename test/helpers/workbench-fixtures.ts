// Small real inputs for workbench tests: a synthetic image folder and an untrained small CNN saved as a TF.js
// LayersModel folder (building one is much faster than training; the jobs do not care about accuracy).
import { join } from 'node:path';
import { initBackend } from '../../main/engine/backend/select-backend';
import { generateSynthDataset } from '../../main/engine/data/synth';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { saveLayersModel, writePreprocessing } from '../../main/engine/model/model-io';

export const FIXTURE_SIZE = 24;

/** 24 images of 24x24 in 3 classes (circle, square, triangle), with masks. */
export function makeDataset(dir: string, name = 'data', n = 24): string {
  return generateSynthDataset({ out: join(dir, name), n, size: FIXTURE_SIZE, classes: 3, seed: 5 }).out;
}

export async function makeModel(dir: string, name = 'model', seed = 1): Promise<string> {
  await initBackend('cpu');
  const out = join(dir, name);
  const model = buildArchitecture('small-cnn', { inputShape: [FIXTURE_SIZE, FIXTURE_SIZE, 3], numClasses: 3, width: 0.25, seed });
  await saveLayersModel(model, out);
  writePreprocessing(out, { height: FIXTURE_SIZE, width: FIXTURE_SIZE, channels: 3, scale: 255, mean: [0], std: [1], classNames: ['circle', 'square', 'triangle'] });
  model.dispose();
  return out;
}
