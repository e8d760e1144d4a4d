// The webgpu backend's own parts: a software adapter is never chosen automatically, AddN with more inputs than a
// shader may bind, synchronous reads, and the buffer-limit refusal and batch cap (pure, with stated limits).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend, tryBackend } from '../../main/engine/backend/select-backend';
import { releaseWebGpu, startWebGpu, webGpuAdapter } from '../../main/engine/backend/webgpu';
import { assertTensorsFit, webGpuBatchCap } from '../../main/engine/backend/webgpu-memory';
import { chooseBatchSize } from '../../main/engine/backend/batch-memory';
import { defaultWorkerCount } from '../../main/jobs/worker-count';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { methodIdsFor } from '../../main/engine/explain/registry';
import { assertClose, assertUserError, maxAbsDiff } from './helpers';
import { runCli } from '../helpers/run-cli';

const skip = await (async () => {
  try {
    await initBackend('webgpu');
    return false;
  } catch (e) {
    const reason = `no webgpu backend here: ${(e as Error).message}`;
    console.log(`# ${reason}`);
    return reason;
  }
})();

after(() => releaseWebGpu());

describe('webgpu backend selection and kernels', { skip }, () => {
  test('in the automatic order a software adapter is refused, with the reason; by name it is taken', async () => {
    const adapter = webGpuAdapter()!;
    await assert.rejects(() => tryBackend('webgpu', true), /software adapter|no GPU device node/);
    if (adapter.fallback) await assert.rejects(() => startWebGpu(false), /only a software adapter .*--backend webgpu/);
    const info = await tryBackend('webgpu');
    assert.equal(info.name, 'webgpu');
    assert.equal(tf.getBackend(), 'webgpu');
  });

  test('AddN of 13 tensors (more than a shader may bind) equals the sum on wasm; dataSync reads synchronously', async () => {
    const parts = Array.from({ length: 13 }, (_, i) => Array.from({ length: 300 }, (_, j) => Math.sin(i * 7 + j)));
    const sumOn = async (b: 'wasm' | 'webgpu') => {
      await initBackend(b);
      return tf.tidy(() => Array.from(tf.addN(parts.map((p) => tf.tensor1d(p))).dataSync()));
    };
    const want = await sumOn('wasm');
    const got = await sumOn('webgpu');
    assert.ok(maxAbsDiff(got, want) < 1e-5, `max difference ${maxAbsDiff(got, want)}`);
  });
});

/** Ops the engine differentiates, each as a scalar function of its inputs (a random weighting of the output). */
const OPS: Array<{ name: string; shapes: number[][]; f: (...t: tf.Tensor[]) => tf.Tensor }> = [
  { name: 'conv2d 3x3 stride 1 same', shapes: [[2, 9, 9, 3], [3, 3, 3, 5]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') },
  { name: 'conv2d 3x3 stride 2 same', shapes: [[1, 9, 9, 4], [3, 3, 4, 6]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same') },
  { name: 'conv2d 7x7 stride 2 valid', shapes: [[1, 20, 20, 3], [7, 7, 3, 4]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid') },
  { name: 'conv2d 1x1', shapes: [[2, 5, 5, 8], [1, 1, 8, 3]], f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid') },
  { name: 'depthwise 3x3 stride 1 same', shapes: [[1, 8, 8, 4], [3, 3, 4, 1]], f: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') },
  { name: 'depthwise 3x3 stride 2 same', shapes: [[1, 9, 9, 4], [3, 3, 4, 2]], f: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same') },
  { name: 'maxPool 2x2 stride 2 same (odd size)', shapes: [[1, 7, 7, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same') },
  { name: 'maxPool 3x3 stride 2 same (ResNet stem)', shapes: [[1, 56, 56, 16]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  { name: 'avgPool 2x2 and global mean', shapes: [[2, 8, 8, 3]], f: (x) => tf.mean(tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'), [1, 2]) },
  { name: 'matMul (dense)', shapes: [[4, 12], [12, 7]], f: (a, b) => tf.matMul(a, b) },
  { name: 'batchNorm with scale and offset', shapes: [[2, 4, 4, 3], [3], [3], [3], [3]],
    f: (x, m, v, o, sc) => tf.batchNorm(x as tf.Tensor4D, m as tf.Tensor1D, tf.add(tf.abs(v), 0.5) as tf.Tensor1D, o as tf.Tensor1D, sc as tf.Tensor1D, 1e-3) },
  { name: 'relu, tanh, sigmoid, softplus, softmax', shapes: [[3, 10]], f: (x) => tf.softmax(tf.add(tf.add(tf.relu(x), tf.tanh(x)), tf.add(tf.sigmoid(x), tf.softplus(x)))) },
  { name: 'resizeBilinear, concat, slice', shapes: [[1, 4, 4, 2]], f: (x) => tf.slice(tf.concat([tf.image.resizeBilinear(x as tf.Tensor4D, [7, 7]), tf.image.resizeBilinear(x as tf.Tensor4D, [7, 7], false, true)], 3), [0, 1, 1, 0], [1, 5, 5, 3]) },
];

function gradsOf(op: (typeof OPS)[number]): { y: number[]; grads: number[][] } {
  return tf.tidy(() => {
    const xs = op.shapes.map((sh, i) => tf.randomNormal(sh, 0, 1, 'float32', 10 + i));
    const y = op.f(...xs);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 99);
    const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(op.f(...t), w)))(xs);
    return { y: Array.from(y.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

describe('webgpu kernels, forward and gradient, against the cpu backend', { skip }, () => {
  for (const op of OPS) {
    test(op.name, async () => {
      await initBackend('cpu');
      const want = gradsOf(op);
      await initBackend('webgpu');
      const got = gradsOf(op);
      assertClose(got.y, want.y, 1e-4, `${op.name}: forward`);
      got.grads.forEach((g, i) => assertClose(g, want.grads[i], 1e-4, `${op.name}: gradient of input ${i}`));
    });
  }
});

describe('webgpu shader compilation', { skip }, () => {
  test('shaders are compiled on the first image only: the pipeline count is flat over the next images', async () => {
    await initBackend('webgpu');
    const vm = wrapModel(buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 4, width: 0.25, seed: 3 }), null, 'h', null);
    const plan = planMethods(vm, methodIdsFor(vm), { steps: 4, samples: 2 });
    const pipelines = () => Object.keys((tf.backend() as unknown as { pipelineCache: object }).pipelineCache).length;
    const counts = [0, 1, 2].map((i) => {
      const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 40 + i) as tf.Tensor4D;
      explainImage(vm, x, plan);
      x.dispose();
      return pipelines();
    });
    assert.ok(counts[0] > 10, `pipelines after the first image: ${counts[0]}`);
    assert.deepEqual(counts, [counts[0], counts[0], counts[0]], `pipelines after each image: ${counts.join(', ')}`);
  });
});

describe('webgpu workers', () => {
  test('one worker per GPU on webgpu, as on tensorflow-gpu (each compiles its own shaders)', () => {
    assert.equal(defaultWorkerCount({ backend: 'webgpu', env: {}, cpus: 8 }), 1);
    assert.equal(defaultWorkerCount({ backend: 'wasm', env: {}, cpus: 8 }), 8);
  });
});

describe('webgpu buffer limits', () => {
  test('a model with a tensor above the binding limit is refused with the sizes and the limit', async () => {
    const needs = [{ what: 'the input (224x224x3)', bytes: 602_112 }, { what: 'weight fc1/kernel (25088x4096)', bytes: 411_041_792 }];
    await assertUserError(() => assertTensorsFit(needs, 128 * 1024 ** 2, 'test adapter'),
      /test adapter/, /128\.0 MB per tensor/, /fc1\/kernel .*392\.0 MB/, /--backend wasm/);
    assertTensorsFit(needs, 512 * 1024 ** 2, 'test adapter');
  });

  test('the batch is capped so that the activations of one batch fit one binding', () => {
    assert.equal(webGpuBatchCap(10 * 1024 ** 2, 128 * 1024 ** 2), 12);
    assert.equal(webGpuBatchCap(300 * 1024 ** 2, 128 * 1024 ** 2), 1);
    assert.equal(webGpuBatchCap(1, null), Infinity);
    assert.equal(chooseBatchSize({ bytesPerSample: 10 * 1024 ** 2, total: 50, availableBytes: 1e12, maxBatch: webGpuBatchCap(10 * 1024 ** 2, 128 * 1024 ** 2) }), 12);
  });
});

describe('dixw doctor on webgpu', () => {
  test('reports the adapter with its limits, and does not auto-select a software one', { skip }, () => {
    const r = runCli(['doctor', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const a = j.webgpu.adapter;
    assert.ok(a && a.description && a.vendor !== undefined, JSON.stringify(j.webgpu));
    assert.ok(a.limits.maxStorageBufferBindingSize > 0 && a.limits.maxBufferSize > 0);
    assert.ok(j.backends.some((b: { name: string; available: boolean }) => b.name === 'webgpu' && b.available));
    if (a.fallback) {
      assert.equal(j.webgpu.autoEligible, false);
      assert.notEqual(j.chosen, 'webgpu');
      assert.match(j.webgpu.fix, /--backend webgpu/);
    }
  });

  test('without a Vulkan driver: no adapter, Dawn\'s own messages and the fix', { skip: process.platform !== 'linux' && 'Linux only (Vulkan)' }, () => {
    const r = runCli(['doctor', '--json'], { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.webgpu.adapter, null);
    assert.ok(j.backends.some((b: { name: string; available: boolean }) => b.name === 'webgpu' && !b.available));
    assert.match(j.webgpu.reason, /no WebGPU adapter|not installed/);
    assert.match(j.webgpu.fix, /mesa-vulkan-drivers|npm install/);
    if (/no WebGPU adapter/.test(j.webgpu.reason)) assert.ok(j.webgpu.dawnMessages.some((m: string) => /vk|Vulkan|driver/i.test(m)), j.webgpu.dawnMessages.join('\n'));
  });
});
