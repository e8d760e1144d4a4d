// The demo's ViT section (dixw demo step 5) on a small case: the built-in tiny ViT is trained through `dixw train`'s
// path, saved as a dixw-vit folder, and the test images are explained with every ViT method of the demo, each map
// written as raw .npy and as an overlay.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../main/engine/backend/select-backend';
import { generateSynthDataset } from '../../main/engine/data/synth';
import { readNpy } from '../../main/engine/data/npy';
import { runDemoVit, VIT_DEMO_METHODS } from '../../main/cli/commands/demo-vit';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir('dixw-demo-vit-')));
after(() => cleanup());

test('the demo\'s ViT section trains vit-tiny and writes the maps of every ViT method', async () => {
  const backend = await initBackend('wasm');
  const train = generateSynthDataset({ out: join(dir, 'train'), n: 8, size: 32, classes: 4, seed: 11 });
  const tests = generateSynthDataset({ out: join(dir, 'test'), n: 4, size: 32, classes: 4, seed: 2 });
  const r = await runDemoVit({ out: dir, train: train.out, test: tests.out, perClass: 1, limit: 2, epochs: 1, backend });
  assert.equal(r.training.arch, 'vit-tiny');
  assert.equal(r.training.epochs.length, 1);
  assert.ok(existsSync(join(dir, 'vit-model', 'model.json')));
  assert.deepEqual(r.explain.methods.map((m) => m.id), VIT_DEMO_METHODS);
  for (const method of VIT_DEMO_METHODS) {
    const maps = readdirSync(join(dir, 'vit-maps', method), { recursive: true }).map(String).filter((f) => f.endsWith('.npy'));
    assert.equal(maps.length, 2, `${method}: one map per image`);
    const m = readNpy(join(dir, 'vit-maps', method, maps[0]));
    assert.deepEqual([...m.shape], [32, 32]);
    assert.ok(Array.from(m.data as Float32Array).every(Number.isFinite));
    const overlays = readdirSync(join(dir, 'vit-overlays', method), { recursive: true }).map(String).filter((f) => f.endsWith('.png'));
    assert.equal(overlays.length, 2);
  }
});
