// Model folders (model-io.ts, vision-model.ts): a save/load round trip keeps every weight (including batch-norm
// moving statistics), and each broken folder is refused with a UserError that says what is wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { loadLayersModel, modelContentHash, saveLayersModel, writePreprocessing } from '../../main/engine/model/model-io';
import { loadVisionModel } from '../../main/engine/model/load-model';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { assertUserError, maxAbsDiff, uniform } from './helpers';

let root: string;
let n = 0;

before(async () => {
  await initBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'dixw-model-io-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function smallCnn(): LayersModel {
  return buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 4, width: 0.25, seed: 1 });
}

/** Saves a fresh small-cnn into its own folder and returns the folder. */
async function savedModel(): Promise<string> {
  const dir = join(root, `m${++n}`);
  const model = smallCnn();
  await saveLayersModel(model, dir);
  model.dispose();
  return dir;
}

function editJson(dir: string, f: (json: Record<string, any>) => void): void {
  const file = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  f(json);
  writeFileSync(file, JSON.stringify(json));
}

describe('save / load round trip', () => {
  test('resnet18 with non-trivial batch-norm statistics predicts identically after reloading', async () => {
    const model = buildArchitecture('resnet18', { inputShape: [32, 32, 3], numClasses: 5, width: 0.125, seed: 3 });
    let seed = 10;
    for (const layer of model.layers) {
      if (layer.getClassName() !== 'BatchNormalization') continue;
      // gamma, beta, moving mean, moving variance (> 0): all must survive the trip.
      layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(uniform(seed++, w.size, i === 3 ? 0.5 : -0.5, 1.5), w.shape)));
    }
    const dir = join(root, 'resnet');
    await saveLayersModel(model, dir);
    const loaded = await loadLayersModel(dir);
    const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 4);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    assert.equal(maxAbsDiff(a, b), 0);
    assert.deepEqual(loaded.layers.map((l) => l.name), model.layers.map((l) => l.name));
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  test('loadVisionModel reads preprocessing.json, and the content hash follows the files', async () => {
    const dir = await savedModel();
    writePreprocessing(dir, { height: 16, width: 16, channels: 3, scale: 255, mean: [0.5], std: [0.25], classNames: ['a', 'b', 'c', 'd'] });
    const vm = await loadVisionModel(join(dir, 'model.json'));
    assert.equal(vm.numClasses, 4);
    assert.deepEqual(vm.preprocessing.mean, [0.5]);
    assert.deepEqual(vm.preprocessing.classNames, ['a', 'b', 'c', 'd']);
    assert.equal(vm.path, join(dir, 'model.json'));
    assert.match(vm.hash, /^[0-9a-f]{64}$/);
    assert.equal(modelContentHash(dir), vm.hash);
    const weights = join(dir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[0] ^= 1;
    writeFileSync(weights, bytes);
    assert.notEqual(modelContentHash(dir), vm.hash);
    vm.dispose();
  });
});

describe('broken model folders give a UserError', () => {
  test('a path that does not exist', async () => {
    await assertUserError(() => loadLayersModel(join(root, 'nope')), /Model not found/);
  });

  test('a folder without model.json', async () => {
    const dir = await savedModel();
    unlinkSync(join(dir, 'model.json'));
    await assertUserError(() => loadLayersModel(dir), /No model\.json/);
  });

  test('malformed model.json (not JSON)', async () => {
    const dir = await savedModel();
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {"class_name": ');
    await assertUserError(() => loadLayersModel(dir), /model\.json is not valid JSON/, /Re-export/);
  });

  test('model.json without the weights manifest, and a graph model', async () => {
    const dir = await savedModel();
    editJson(dir, (j) => delete j.weightsManifest);
    await assertUserError(() => loadLayersModel(dir), /not a TF\.js LayersModel/, /weightsManifest/);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'graph-model', weightsManifest: [] }));
    await assertUserError(() => loadLayersModel(dir), /modelTopology/, /graph model/, /tfjs_layers_model/);
  });

  test('a missing weight shard', async () => {
    const dir = await savedModel();
    unlinkSync(join(dir, 'weights.bin'));
    await assertUserError(() => loadLayersModel(dir), /Weight file missing/, /weights\.bin/);
  });

  test('a truncated weight shard', async () => {
    const dir = await savedModel();
    truncateSync(join(dir, 'weights.bin'), 100);
    await assertUserError(() => loadLayersModel(dir), /Could not load/, /weight shards belong together/);
  });

  test('weight paths that leave the model folder are refused, for loading and for hashing', async () => {
    const other = await savedModel();
    const dir = await savedModel();
    for (const path of [`../${other.split(/[\\/]/).pop()}/weights.bin`, join(other, 'weights.bin'), '', 'sub/../../x.bin']) {
      editJson(dir, (j) => (j.weightsManifest[0].paths = [path]));
      await assertUserError(() => loadLayersModel(dir), /lists the weight file .* which is not inside the model folder/, /beside model\.json/);
      await assertUserError(() => modelContentHash(dir), /not inside the model folder/);
    }
    // A plain relative path inside the folder is fine.
    editJson(dir, (j) => (j.weightsManifest[0].paths = ['./weights.bin']));
    (await loadLayersModel(dir)).dispose();
  });

  test('weights that are NaN or infinite: one clear message at load', async () => {
    const dir = await savedModel();
    const specs = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights as Array<{ name: string; shape: number[] }>;
    const bytes = readFileSync(join(dir, 'weights.bin'));
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    floats[0] = Number.NaN;
    floats[1] = Number.POSITIVE_INFINITY;
    floats[floats.length - 1] = Number.NEGATIVE_INFINITY;
    writeFileSync(join(dir, 'weights.bin'), bytes);
    const first = specs[0]!;
    const last = specs[specs.length - 1]!;
    const size = (s: { shape: number[] }) => s.shape.reduce((a, b) => a * b, 1);
    await assertUserError(() => loadLayersModel(dir),
      new RegExp(`has weights that are NaN or infinite \\(${first.name}: 2 of ${size(first)}, ${last.name}: 1 of ${size(last)}\\)`),
      /would be NaN/, /diverged in training or its weight file is damaged/);
  });

  test('an unknown layer class', async () => {
    const dir = await savedModel();
    editJson(dir, (j) => {
      // model.save() writes the topology itself; tensorflowjs_converter wraps it in model_config.
      const topology = j.modelTopology.model_config ?? j.modelTopology;
      const layer = topology.config.layers.find((l: { name: string }) => l.name === 'block2_conv1');
      layer.class_name = 'FancyConv2D';
    });
    await assertUserError(() => loadLayersModel(dir), /unknown layer "FancyConv2D"/, /custom layer/);
  });

  test('preprocessing.json that disagrees with the input shape', async () => {
    const dir = await savedModel();
    writeFileSync(join(dir, 'preprocessing.json'), JSON.stringify({ height: 20, width: 16, channels: 3 }));
    await assertUserError(() => loadVisionModel(dir), /preprocessing\.json says 20x16x3/, /model takes 16x16x3/);
    writeFileSync(join(dir, 'preprocessing.json'), JSON.stringify({ height: 16, width: 16, channels: 1 }));
    await assertUserError(() => loadVisionModel(dir), /preprocessing\.json says 16x16x1/);
  });

  test('preprocessing.json that is invalid or inconsistent in itself', async () => {
    const dir = await savedModel();
    const prep = join(dir, 'preprocessing.json');
    writeFileSync(prep, '{ height: 16 }');
    await assertUserError(() => loadVisionModel(dir), /preprocessing\.json is not valid JSON/);
    writeFileSync(prep, JSON.stringify({ height: 16, width: 16, channels: 2 }));
    await assertUserError(() => loadVisionModel(dir), /preprocessing\.json is invalid/, /channels/);
    writeFileSync(prep, JSON.stringify({ height: 16, width: 16, channels: 3, std: [0] }));
    await assertUserError(() => loadVisionModel(dir), /is invalid/, /std/);
    writeFileSync(prep, JSON.stringify({ height: 16, width: 16, channels: 3, mean: [0.1, 0.2] }));
    await assertUserError(() => loadVisionModel(dir), /mean has 2 entries for 3 channel/);
  });
});
