// What the ONNX loader refuses, at load, each with one message saying what is wrong and what to do: a truncated or
// non-ONNX file, an unknown op, an opset outside 13-17, a missing external-data file or one outside the model's
// folder, an output that is not [batch, classes], an input that is not an image, a preprocessing of another size,
// batch norm in training mode. Bad files are made here from a good fixture by editing its protobuf.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema, type ModelProto } from 'onnx-buf';
import { tf } from '../../../main/engine/tf';
import { initBackend } from '../../../main/engine/backend/select-backend';
import { PreprocessingSchema } from '../../../shared/preprocessing';
import { loadOnnxVisionModel, onnxContentHash } from '../../../main/engine/model/onnx/load-onnx';
import { assertUserError } from '../helpers';
import { inputTensor, OP_FIXTURES, readOpFixture } from './op-fixtures';

let dir: string;
before(async () => {
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'dixw-onnx-bad-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function readModel(fixture: string): ModelProto {
  return fromBinary(ModelProtoSchema, readFileSync(join(OP_FIXTURES, `${fixture}.onnx`)));
}

/** Writes an edited copy of a fixture's model and returns its path. */
function edited(fixture: string, file: string, edit: (m: ModelProto) => void): string {
  const m = readModel(fixture);
  edit(m);
  const path = join(dir, file);
  writeFileSync(path, toBinary(ModelProtoSchema, m));
  return path;
}

/** Moves one initializer's bytes to an external-data file named `location` (written only if `write`). */
function externalize(m: ModelProto, name: string, location: string, write: string | null): void {
  const t = m.graph!.initializer.find((i) => i.name === name)!;
  if (write) writeFileSync(write, t.rawData);
  t.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: location }),
    create(StringStringEntryProtoSchema, { key: 'offset', value: '0' }),
    create(StringStringEntryProtoSchema, { key: 'length', value: String(t.rawData.length) })];
  t.dataLocation = 1;
  t.rawData = new Uint8Array(0);
}

describe('ONNX files the loader refuses', () => {
  test('a truncated file', async () => {
    const path = join(dir, 'truncated.onnx');
    const bytes = readFileSync(join(OP_FIXTURES, 'conv-relu.onnx'));
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assertUserError(() => loadOnnxVisionModel(path, null), /truncated\.onnx is not a readable ONNX model: the protobuf is truncated or damaged/, /export it again/i);
  });

  test('a file that is not ONNX', async () => {
    const path = join(dir, 'text.onnx');
    writeFileSync(path, 'this is a text file, not a model\n');
    await assertUserError(() => loadOnnxVisionModel(path, null), /text\.onnx is not (a readable )?(an )?ONNX model/);
  });

  test('an op the importer does not know: its type, its node and the supported ops are named', async () => {
    const path = edited('conv-relu', 'unknown-op.onnx', (m) => {
      m.graph!.node.find((n) => n.opType === 'Relu')!.opType = 'FancyActivation';
    });
    await assertUserError(() => loadOnnxVisionModel(path, null), /uses ONNX op FancyActivation, which DIX Workbench does not support \(first at node "\/body\/body\.1\/Relu"\)/,
      /Supported ops \(opsets 13-17\): .*BatchNormalization.*Conv.*Gemm.*MatMul.*Relu/);
  });

  for (const opset of [12, 18]) {
    test(`opset ${opset}`, async () => {
      const path = edited('conv-relu', `opset-${opset}.onnx`, (m) => {
        m.opsetImport.find((o) => o.domain === '')!.version = BigInt(opset);
      });
      await assertUserError(() => loadOnnxVisionModel(path, null), new RegExp(`uses ONNX opset ${opset}; DIX Workbench supports opsets 13 to 17 \\(13, 14, 15, 16, 17\\)`),
        /opset_version between 13 and 17/);
    });
  }

  test('a missing external-data file', async () => {
    const path = edited('conv-relu', 'missing-external.onnx', (m) => externalize(m, 'body.0.weight', 'missing-external.weights', null));
    await assertUserError(() => loadOnnxVisionModel(path, null), /external data file "missing-external\.weights" \(weight "body\.0\.weight"\) is missing/,
      /Put missing-external\.weights beside .*missing-external\.onnx/);
  });

  test('an external-data path that leaves the model folder', async () => {
    const path = edited('conv-relu', 'escape.onnx', (m) => externalize(m, 'body.0.weight', '../escape.weights', null));
    await assertUserError(() => loadOnnxVisionModel(path, null), /points to "\.\.\/escape\.weights", outside the model's folder; refused/);
  });

  test('an output that is not [batch, classes]', async () => {
    const path = edited('conv-relu', 'image-output.onnx', (m) => {
      const conv = m.graph!.node.find((n) => n.opType === 'Conv')!;
      m.graph!.output[0].name = conv.output[0];
    });
    await assertUserError(() => loadOnnxVisionModel(path, null), /the output "\/body\/body\.0\/Conv_output_0" has shape \[1, 4, 8, 8\] for 1 image\(s\), not \[batch, classes\]/,
      /returns the logits/);
  });

  test('an input that is not an image with 1 or 3 channels', async () => {
    const path = edited('conv-relu', 'five-channels.onnx', (m) => {
      const t = m.graph!.input[0].type!.value.value as { shape: { dim: Array<{ value: { case: string; value: unknown } }> } };
      t.shape.dim[1].value = { case: 'dimValue', value: 5n };
    });
    await assertUserError(() => loadOnnxVisionModel(path, null), /has shape \[\?, 5, 8, 8\], not an image \[batch, channels, height, width\] with 1 or 3 channels/);
  });

  test('a preprocessing of another size than the model input', async () => {
    const prep = PreprocessingSchema.parse({ height: 10, width: 10, channels: 3 });
    await assertUserError(() => loadOnnxVisionModel(join(OP_FIXTURES, 'conv-relu.onnx'), prep), /The preprocessing says 10x10x3 but .*conv-relu\.onnx takes 8x8x3 images/);
  });

  test('batch normalization in training mode', async () => {
    const path = edited('batchnorm', 'bn-training.onnx', (m) => {
      const bn = m.graph!.node.find((n) => n.opType === 'BatchNormalization')!;
      bn.attribute.find((a) => a.name === 'training_mode')!.i = 1n;
    });
    await assertUserError(() => loadOnnxVisionModel(path, null), /BatchNormalization node ".*" is in training mode/, /model\.eval\(\)/);
  });
});

describe('ONNX external data and content hash', () => {
  test('weights in an external-data file load, and the content hash covers that file', async () => {
    const modelPath = join(dir, 'external.onnx');
    const weights = join(dir, 'external.weights');
    edited('residual', 'external.onnx', (m) => {
      externalize(m, 'stem.0.weight', 'external.weights', weights);
    });
    const f = readOpFixture('residual');
    const vm = await loadOnnxVisionModel(modelPath, null);
    const x = inputTensor(f);
    try {
      const y = vm.predict(x);
      assert.ok(Math.max(...Array.from(y.dataSync(), (v, i) => Math.abs(v - f.logits.data[i]))) < 1e-4);
      y.dispose();
      const before = onnxContentHash(modelPath);
      assert.equal(vm.hash, before);
      const bytes = readFileSync(weights);
      bytes[0] ^= 1;
      writeFileSync(weights, bytes);
      assert.notEqual(onnxContentHash(modelPath), before);
    } finally {
      x.dispose();
      vm.dispose();
    }
  });

  test('the content hash of a self-contained model is the sha256 of its file', async () => {
    const copy = join(dir, 'copy.onnx');
    copyFileSync(join(OP_FIXTURES, 'conv-relu.onnx'), copy);
    const { createHash } = await import('node:crypto');
    assert.equal(onnxContentHash(copy), createHash('sha256').update(readFileSync(copy)).digest('hex'));
  });

  test('no tensors are left behind by a refused model', async () => {
    const path = edited('residual', 'late-failure.onnx', (m) => {
      m.graph!.output[0].name = m.graph!.node.find((n) => n.opType === 'Conv')!.output[0];
    });
    const n = tf.memory().numTensors;
    await assertUserError(() => loadOnnxVisionModel(path, null), /not \[batch, classes\]/);
    assert.equal(tf.memory().numTensors, n);
  });
});
