// Registering a model reads it once to inspect it (main/jobs/engine-inputs.ts). In a process where the engine already
// runs (`dixw demo` runs sanity jobs, then trains and explains its ViT, all in one process) that inspection must not
// move the engine to another backend: it once switched the process to cpu, so the demo's ViT step ran 10-14x slower
// while its provenance still said wasm. A run also refuses to record a backend that is not the one running.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tf } from '../../main/engine/tf';
import { initBackend, requireActiveBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { saveLayersModel } from '../../main/engine/model/model-io';
import { inspectModelFolder } from '../../main/jobs/engine-inputs';
import type { BackendInfo } from '../../shared/provenance';

let dir: string;
let wasm: BackendInfo;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dixw-inspect-backend-'));
  wasm = await initBackend('wasm');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('inspecting a model keeps the engine backend already running in the process', async () => {
  const path = join(dir, 'model');
  await saveLayersModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 3, width: 0.25, seed: 1 }), path);
  const { info } = await inspectModelFolder(path);
  assert.equal(info.numClasses, 3);
  assert.equal(tf.getBackend(), 'wasm');
  assert.doesNotThrow(() => requireActiveBackend(wasm));
});

test('a run refuses to record a backend that is not the one TF.js runs on', async () => {
  await tf.setBackend('cpu');
  try {
    assert.throws(() => requireActiveBackend(wasm), /records backend wasm in its provenance, but TF.js is running on cpu/);
  } finally {
    await tf.setBackend('wasm');
  }
});
