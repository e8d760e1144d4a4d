// Reads and writes TF.js LayersModel folders (model.json + weight shards, as tensorflowjs_converter and
// model.save() write them) with plain fs, since the file:// handler needs tfjs-node. preprocessing.json sits beside
// model.json (shared/preprocessing.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { tf, tfl } from '../tf';
import { UserError } from '../errors';
import { PREPROCESSING_FILE, PreprocessingSchema, type Preprocessing } from '../../../shared/preprocessing';
import type { LayersModel } from './layers/run-from';

export const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  format?: string;
}

/** Accepts a model folder or the path of its model.json. */
export function modelJsonPath(path: string): string {
  const p = resolve(path);
  if (!existsSync(p)) throw new UserError(`Model not found: ${path}.`, 'Give a folder containing model.json (a TF.js LayersModel), an .onnx file exported from PyTorch, or train one with `dixw train`.');
  return statSync(p).isDirectory() ? join(p, MODEL_FILE) : p;
}

function readModelJson(file: string): ModelJson {
  if (!existsSync(file)) throw new UserError(`No ${MODEL_FILE} in ${dirname(file)}.`, 'A model folder holds model.json and its weight files, as tensorflowjs_converter or `dixw train` write them.');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}).`, 'Re-export the model with tensorflowjs_converter (--output_format tfjs_layers_model) or restore the file.');
  }
  const j = json as Partial<ModelJson>;
  if (!j || typeof j !== 'object' || !j.modelTopology || !Array.isArray(j.weightsManifest)) {
    const isGraph = (j as { format?: string })?.format === 'graph-model';
    throw new UserError(`${file} is not a TF.js LayersModel (it lacks ${!j?.modelTopology ? 'modelTopology' : 'weightsManifest'}).`,
      isGraph ? 'This is a graph model; convert the Keras model with --output_format tfjs_layers_model instead.'
        : 'Expected the format that tensorflowjs_converter --output_format tfjs_layers_model writes.');
  }
  return j as ModelJson;
}

/**
 * A weight shard's path: model.json names it relative to its own folder, and it must stay inside that folder. A
 * manifest path such as "../../x/weights.bin" or "/etc/..." would make loading (and hashing) read any file.
 */
function weightFilePath(dir: string, p: unknown): string {
  const f = typeof p === 'string' ? resolve(dir, p) : '';
  const rel = relative(dir, f);
  if (typeof p !== 'string' || p === '' || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UserError(`model.json in ${dir} lists the weight file ${JSON.stringify(p)}, which is not inside the model folder.`,
      'Weight shards must sit in the model folder beside model.json, named by plain relative paths; re-export the model or fix its weightsManifest.');
  }
  return f;
}

function readWeights(dir: string, manifest: ModelJson['weightsManifest']): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const f = weightFilePath(dir, p);
      if (!existsSync(f)) throw new UserError(`Weight file missing: ${f} (listed in model.json).`, 'Copy all weight shards into the model folder beside model.json.');
      buffers.push(readFileSync(f));
    }
    specs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  return { specs, data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/** sha256 over model.json and every weight shard, so a changed file is noticed. */
export function modelContentHash(path: string): string {
  const file = modelJsonPath(path);
  const json = readModelJson(file);
  const h = createHash('sha256').update(readFileSync(file));
  for (const group of json.weightsManifest) for (const p of group.paths) {
    const f = weightFilePath(dirname(file), p);
    if (existsSync(f)) h.update(readFileSync(f));
  }
  return h.digest('hex');
}

/** Bytes per value of the dtypes a weight shard can hold (strings have no fixed size). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * Weights that are NaN or infinite, by name: such a model (diverged in training, or a damaged file) gives NaN maps and
 * scores everywhere, which surfaced later as an "invalid result" of a job. Only unquantized float32 weights are read.
 */
function nonFiniteWeights(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): Array<{ name: string; count: number; size: number }> {
  const found: Array<{ name: string; count: number; size: number }> = [];
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = DTYPE_BYTES[spec.quantization?.dtype ?? spec.dtype];
    if (bytes === undefined || offset + size * bytes > data.byteLength) break; // a layout this check does not know; TF.js reports it
    if (spec.dtype === 'float32' && !spec.quantization && offset % 4 === 0) {
      const values = new Float32Array(data, offset, size);
      let count = 0;
      for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! !== 0) count++; // NaN and +-Infinity only
      if (count > 0) found.push({ name: spec.name, count, size });
    }
    offset += size * bytes;
  }
  return found;
}

export async function loadLayersModel(path: string): Promise<LayersModel> {
  const file = modelJsonPath(path);
  const json = readModelJson(file);
  const { specs, data } = readWeights(dirname(file), json.weightsManifest);
  const bad = nonFiniteWeights(specs, data);
  if (bad.length > 0) {
    const named = bad.slice(0, 3).map((b) => `${b.name}: ${b.count} of ${b.size}`).join(', ');
    throw new UserError(`${file} has weights that are NaN or infinite (${named}${bad.length > 3 ? `, and ${bad.length - 3} more tensors` : ''}); every map and score computed with it would be NaN.`,
      'The model diverged in training or its weight file is damaged: use an earlier checkpoint, train it again (e.g. with a lower learning rate), or re-export it.');
  }
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data }));
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /Unknown (layer|activation|initializer|regularizer|constraint): (\w+)/.exec(msg);
    if (unknown) {
      throw new UserError(`${basename(dirname(file))}/model.json uses an unknown ${unknown[1]} "${unknown[2]}" that TF.js cannot build.`,
        'Replace the custom layer with standard Keras layers before converting, or register it in TF.js.');
    }
    throw new UserError(`Could not load ${file}: ${msg.split('\n')[0]}`, 'Check that model.json and its weight shards belong together (re-export the model).');
  }
}

export async function saveLayersModel(model: LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData
      ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : new Uint8Array();
    writeFileSync(join(dir, WEIGHTS_FILE), weightData);
    const json = {
      format: 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: 'dix-workbench',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    };
    writeFileSync(join(dir, MODEL_FILE), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

export function writePreprocessing(dir: string, prep: Preprocessing): void {
  writeFileSync(join(dir, PREPROCESSING_FILE), JSON.stringify(PreprocessingSchema.parse(prep), null, 2) + '\n');
}

/**
 * Reads and validates a preprocessing file, or returns null when there is none. `fix` is the hint for a damaged one
 * (what to do differs between a LayersModel folder and an ONNX sidecar).
 */
export function readPreprocessingFile(file: string, fix: string): Preprocessing | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}).`, fix);
  }
  const r = PreprocessingSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UserError(`${file} is invalid: ${issues}.`, `${fix} Expected { height, width, channels: 1|3, scale?, mean?, std?, resize?, channelOrder?, classNames? }.`);
  }
  return r.data;
}

/** Reads preprocessing.json beside model.json; returns null when there is none. */
export function readPreprocessing(path: string): Preprocessing | null {
  return readPreprocessingFile(join(dirname(modelJsonPath(path)), PREPROCESSING_FILE),
    'Fix the file or delete it to use the defaults (input size from the model, pixels scaled to [0, 1]).');
}
