// ONNX ViTs recognised (issue 11): a small torchvision VisionTransformer with seeded weights is exported at test time by
// scripts/onnx-vit-reference.py (Debian's python3-torch), which also computes PyTorch's attention (torch's own softmax
// output inside nn.MultiheadAttention), rollout, GAE and ViT-DIX1 maps in float64 with its own few lines. The
// workbench must find the attention in every block from the graph, give PyTorch's attention tensors, reproduce the
// plain forward pass when each attention is replaced by itself, and give PyTorch's maps through its unchanged methods.
// Skipped only when /usr/bin/python3 cannot import torch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadOnnxVisionModel } from '../../main/engine/model/onnx/load-onnx';
import type { AttentionModel, VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { isUserError } from '../../main/engine/errors';
import { readNpy } from '../../main/engine/data/npy';
import { PYTHON, nchwToNhwc, pytorchUnavailable } from '../helpers/pytorch';
import { tempDir } from '../store/helpers';
import { assertClose } from './helpers';
import { spawnSync } from 'node:child_process';

const skip = pytorchUnavailable() ?? false;
const SCRIPT = fileURLToPath(new URL('../../scripts/onnx-vit-reference.py', import.meta.url));
const FIXED_BATCH_VIT = fileURLToPath(new URL('../fixtures/onnx/tiny-vit-op14/model.onnx', import.meta.url));

interface Reference { targets: number[]; heads: number; tokens: number; grid: [number, number]; blocks: number; steps: number }

function npy(dir: string, name: string): { data: Float32Array; shape: number[] } {
  const a = readNpy(join(dir, `${name}.npy`));
  return { data: a.data as Float32Array, shape: [...a.shape] };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('ONNX ViT attention points against PyTorch', { skip }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let vm: VisionModel;
  let am: AttentionModel;
  let ref: Reference;
  let x: tf.Tensor4D;

  before(async () => {
    await initBackend('wasm');
    tmp = tempDir('dixw-onnx-vit-');
    const r = spawnSync(PYTHON, [SCRIPT, tmp.dir, '--images', '2'], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    assert.equal(r.status, 0, r.stderr);
    ref = JSON.parse(readFileSync(join(tmp.dir, 'reference.json'), 'utf8')) as Reference;
    vm = await loadOnnxVisionModel(join(tmp.dir, 'model.onnx'), null);
    const a = vm.attention();
    assert.ok(a, `attention not found: ${vm.attentionProblem}`);
    am = a;
    const input = npy(tmp.dir, 'input');
    const nhwc = nchwToNhwc(input.data, input.shape);
    x = tf.tensor4d(nhwc.data, nhwc.shape as [number, number, number, number]);
  });
  after(() => {
    vm?.dispose();
    x?.dispose();
    tmp?.cleanup();
  });

  test('the attention of every block is found, with heads, tokens, the patch grid and the block outputs', () => {
    assert.equal(am.blocks, ref.blocks);
    assert.equal(am.heads, ref.heads);
    assert.equal(am.tokens, ref.tokens);
    assert.deepEqual(am.grid, ref.grid);
    const blocks = vm.cuts.filter((c) => c.isBlockOutput);
    assert.deepEqual(blocks.map((c) => [c.name, ...(c.aliases ?? [])].join('|')), ['encoder.layers.encoder_layer_0', 'encoder.layers|encoder.layers.encoder_layer_1']);
    assert.ok(blocks.every((c) => c.shape[0] === ref.tokens && c.shape.length === 2));
  });

  test('the attention tensors and logits equal PyTorch\'s (softmax output hooked in PyTorch)', () => {
    const pass = am.forward(x);
    const logits = npy(tmp.dir, 'logits');
    assertClose(pass.logits.dataSync(), logits.data, 1e-5, 'logits');
    for (let b = 0; b < am.blocks; b++) {
      const expected = npy(tmp.dir, `attention_${b}`);
      assert.deepEqual(pass.attentions[b].shape, expected.shape);
      assertClose(pass.attentions[b].dataSync(), expected.data, 1e-5, `attention of block ${b}`);
    }
    tf.dispose([pass.logits, ...pass.attentions]);
  });

  test('attention replaced by its own equals the plain forward pass, from the image and from a block\'s tokens', () => {
    const plain = vm.predict(x);
    const own = am.forward(x);
    const replaced = am.forward(x, { replace: new Map(own.attentions.map((a, b) => [b, a])) });
    assert.ok(maxAbsDiff(replaced.logits, plain) <= 1e-5, 'replaced by its own attention');
    const tokens = am.tokensBefore(x, 1);
    const fromBlock = am.forwardFrom(1, tokens, { replace: new Map([[1, own.attentions[1]]]) });
    assert.equal(fromBlock.attentions.length, 1);
    assert.ok(maxAbsDiff(fromBlock.logits, plain) <= 1e-5, 'from block 1 with its attention replaced');
    const halved = am.forward(x, { replace: new Map([[0, tf.mul(own.attentions[0], 0.5)]]) });
    assert.ok(maxAbsDiff(halved.logits, plain) > 1e-3, 'a different attention changes the logits');
    assert.ok(maxAbsDiff(halved.attentions[0], tf.mul(own.attentions[0], 0.5)) === 0, 'the attention used is the one given');
    tf.dispose([plain, own.logits, ...own.attentions, replaced.logits, ...replaced.attentions, tokens, fromBlock.logits, ...fromBlock.attentions, halved.logits, ...halved.attentions]);
  });

  test('the gradient w.r.t. a block\'s attention matches a finite difference', () => {
    const k = ref.targets[0];
    const x0 = tf.slice(x, 0, 1);
    const a0 = am.forward(x0).attentions[0];
    const direction = tf.randomUniform(a0.shape, -1, 1, 'float32', 9);
    const logit = (a: tf.Tensor) => tf.tidy(() => am.forward(x0, { replace: new Map([[0, a]]) }).logits.dataSync()[k]);
    const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.slice(am.forward(x0, { replace: new Map([[0, a]]) }).logits, [0, k], [1, 1])))(a0);
    const analytic = tf.sum(tf.mul(grad, direction)).dataSync()[0];
    const eps = 1e-2;
    const numeric = (logit(tf.add(a0, tf.mul(direction, eps))) - logit(tf.sub(a0, tf.mul(direction, eps)))) / (2 * eps);
    assert.ok(Math.abs(analytic - numeric) <= 1e-3 * Math.max(1, Math.abs(numeric)), `analytic ${analytic} vs finite difference ${numeric}`);
  });

  for (const [method, file] of [['rollout', 'rollout'], ['gae', 'gae'], ['dix1', 'dix1']] as const) {
    test(`${method} maps equal PyTorch's, the method unchanged`, () => {
      const expected = npy(tmp.dir, file);
      const plan = planMethods(vm, [method], method === 'dix1' ? { steps: ref.steps } : {});
      for (let i = 0; i < ref.targets.length; i++) {
        const xi = tf.slice(x, i, 1);
        const r = explainImage(vm, xi, plan, null);
        assert.equal(r.targetClass, ref.targets[i]);
        const size = expected.shape[1] * expected.shape[2];
        assertClose(r.maps[0].map, expected.data.subarray(i * size, (i + 1) * size), 1e-4, `${method} map of image ${i}`);
        xi.dispose();
      }
    });
  }

  test('gradcam (at the last block\'s input patch tokens), ig and dix2 run on the ONNX ViT', () => {
    const plan = planMethods(vm, ['gradcam', 'ig', 'dix2'], {});
    const r = explainImage(vm, tf.slice(x, 0, 1), plan, null);
    for (const m of r.maps) {
      assert.equal(m.map.length, 32 * 32);
      assert.ok(m.map.every(Number.isFinite), `${m.methodId} map is finite`);
    }
  });

  test('tattr runs on the ONNX ViT, its encoder weights read from the graph (maps against PyTorch: onnx-vit-tattr.test.ts)', () => {
    assert.ok(am.encoder?.(), `encoder not read: ${am.encoderProblem}`);
    const r = explainImage(vm, tf.slice(x, 0, 1), planMethods(vm, ['tattr'], {}), null);
    assert.ok(r.maps[0].map.every(Number.isFinite));
  });

  test('an export whose Softmax is not attention is refused by the attention methods with the pattern expected', async () => {
    const cnn = await loadOnnxVisionModel(join(tmp.dir, 'softmax-gate.onnx'), null);
    try {
      assert.equal(cnn.attention(), null);
      assert.throws(() => planMethods(cnn, ['rollout'], {}), (e: unknown) => {
        assert.ok(isUserError(e));
        assert.match((e as Error).message, /attention was not recognised: none of its 1 Softmax node/);
        assert.match((e as Error).message, /a Softmax over the last axis whose output is the first input of a MatMul/);
        return true;
      });
      planMethods(cnn, ['gradcam'], {}); // still a CNN to the other methods
    } finally {
      cnn.dispose();
    }
  });
});

describe('ONNX ViT exported with a fixed batch of 1', () => {
  test('its attention is found and replacing it by its own in a batch of 3 (run in chunks) equals the plain pass', async () => {
    await initBackend('wasm');
    const vm = await loadOnnxVisionModel(FIXED_BATCH_VIT, null);
    try {
      const am = vm.attention();
      assert.ok(am, `attention not found: ${vm.attentionProblem}`);
      const x = tf.randomUniform([3, 32, 32, 3], -1, 1, 'float32', 3);
      const plain = vm.predict(x);
      const own = am.forward(x);
      const replaced = am.forward(x, { replace: new Map(own.attentions.map((a, b) => [b, a])) });
      assert.ok(maxAbsDiff(replaced.logits, plain) <= 1e-5);
      assert.deepEqual(own.attentions[0].shape, [3, am.heads, am.tokens, am.tokens]);
      tf.dispose([x, plain, own.logits, ...own.attentions, replaced.logits, ...replaced.attentions]);
    } finally {
      vm.dispose();
    }
  });
});
