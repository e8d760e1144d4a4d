// A built-in ViT's folder: model.json of our own format ("format": "dixw-vit": the configuration and the weight
// manifest, names and shapes in vitWeightSpecs order, float32 little-endian), weights.bin, and preprocessing.json
// beside them as for every model. The content hash covers model.json and weights.bin.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { Preprocessing } from '../../../../shared/preprocessing';
import { MODEL_FILE, readPreprocessing, writePreprocessing } from '../model-io';
import { checkVitConfig, type VitConfig } from './vit-config';
import { vitWeightSpecs } from './vit-weights';
import { ViTVisionModel } from './vit-vision-model';

export const VIT_FORMAT = 'dixw-vit';
const WEIGHTS_FILE = 'weights.bin';

interface VitModelJson {
  format: typeof VIT_FORMAT;
  formatVersion: 1;
  generatedBy: string;
  /** Kernels are [in, out]; the patch kernel's rows are (patch row, patch column, channel). */
  layout: string;
  config: VitConfig;
  weightsFile: string;
  weights: Array<{ name: string; shape: number[]; dtype: 'float32' }>;
}

function modelJsonOf(path: string): string | null {
  const p = resolve(path);
  if (!existsSync(p)) return null;
  const file = statSync(p).isDirectory() ? join(p, MODEL_FILE) : p;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

/** Whether the path is a built-in ViT folder (or its model.json). */
export function isVitFolder(path: string): boolean {
  const file = modelJsonOf(path);
  if (!file || !file.endsWith('.json')) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown }).format === VIT_FORMAT;
  } catch {
    return false; // not JSON: the LayersModel loader says what is wrong with it
  }
}

function readVitJson(file: string): VitModelJson {
  const j = JSON.parse(readFileSync(file, 'utf8')) as VitModelJson;
  if (j.formatVersion !== 1 || !j.config || !Array.isArray(j.weights)) {
    throw new UserError(`${file} is a ${VIT_FORMAT} model of an unknown version (${j.formatVersion}).`, 'Update DIX Workbench, or train the model again.');
  }
  return j;
}

export function vitContentHash(path: string): string {
  const file = modelJsonOf(path)!;
  const j = readVitJson(file);
  const h = createHash('sha256').update(readFileSync(file));
  const weights = join(dirname(file), j.weightsFile);
  if (existsSync(weights)) h.update(readFileSync(weights));
  return h.digest('hex');
}

export function saveVit(vm: ViTVisionModel, dir: string, prep: Preprocessing = vm.preprocessing): void {
  mkdirSync(dir, { recursive: true });
  const parts = vm.variables.map((v) => Buffer.from((v.dataSync() as Float32Array).slice().buffer));
  writeFileSync(join(dir, WEIGHTS_FILE), Buffer.concat(parts));
  const json: VitModelJson = {
    format: VIT_FORMAT,
    formatVersion: 1,
    generatedBy: 'DIX Workbench',
    layout: 'kernels [in, out]; patch_embed.proj.weight rows (patch row, patch column, channel); float32 little-endian in this order',
    config: vm.config,
    weightsFile: WEIGHTS_FILE,
    weights: vm.specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' })),
  };
  writeFileSync(join(dir, MODEL_FILE), JSON.stringify(json, null, 1) + '\n');
  writePreprocessing(dir, prep);
}

export function loadVit(path: string, hash?: string): ViTVisionModel {
  const file = modelJsonOf(path);
  if (!file) throw new UserError(`Model not found: ${path}.`);
  const j = readVitJson(file);
  const config = checkVitConfig(j.config);
  const specs = vitWeightSpecs(config);
  const names = j.weights.map((w) => w.name).join(',');
  if (names !== specs.map((s) => s.name).join(',')) {
    throw new UserError(`${file} lists weights that do not match its configuration.`, 'The folder is damaged or from another version; train the model again.');
  }
  const weightsPath = join(dirname(file), j.weightsFile);
  if (!existsSync(weightsPath)) throw new UserError(`Weight file missing: ${weightsPath} (listed in model.json).`, 'Copy weights.bin into the model folder beside model.json.');
  const buf = readFileSync(weightsPath);
  const total = specs.reduce((s, w) => s + w.shape.reduce((a, d) => a * d, 1), 0);
  if (buf.byteLength !== 4 * total) {
    throw new UserError(`${weightsPath} has ${buf.byteLength} bytes; the configuration needs ${4 * total}.`, 'The folder is damaged; train the model again.');
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  let offset = 0;
  const values = specs.map((s) => {
    const n = s.shape.reduce((a, d) => a * d, 1);
    const t = tf.tensor(all.subarray(offset, offset + n), s.shape);
    offset += n;
    return t;
  });
  const prep = readPreprocessing(file) ?? { height: config.inputShape[0], width: config.inputShape[1], channels: config.inputShape[2] as 1 | 3, scale: 255, mean: [0], std: [1] };
  if (prep.height !== config.inputShape[0] || prep.width !== config.inputShape[1] || prep.channels !== config.inputShape[2]) {
    throw new UserError(`preprocessing.json says ${prep.height}x${prep.width}x${prep.channels} but the ViT takes ${config.inputShape.join('x')}.`,
      'Make preprocessing.json agree with the model\'s input shape.');
  }
  try {
    return new ViTVisionModel(config, prep, { values, hash: hash ?? vitContentHash(file), path: resolve(path) });
  } finally {
    for (const v of values) v.dispose();
  }
}
