// Issue 12's memory and speed fixes change no number: the shared (non-copying) Identity/Cast on wasm, the BatchMatMul
// override for every transpose case, the release of used gradients during the backward pass, fused convolutions'
// unused filter gradients left out, and batch norm's lean gradient. Each is compared with the
// stock behaviour or an explicit reference, on a residual network (skip connections, batch norm) and a VGG-shaped one,
// for input gradients and for weight gradients (training).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { setBackwardMemoryRelease } from '../../main/engine/backend/backward-memory';
import { setLeanBatchNormGrad } from '../../main/engine/backend/lean-batchnorm-grad';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { maxAbsDiff, uniform } from './helpers';

before(async () => {
  await initBackend('wasm');
});

test('BatchMatMul on wasm equals the explicit product for every transpose combination, 2-D and batch-1 3-D', () => {
  for (const [M, K, N] of [[3, 5, 7], [10, 300, 40], [50, 20, 3], [1, 8, 1]]) {
    for (const tA of [false, true]) for (const tB of [false, true]) for (const rank3 of [false, true]) {
      const a = uniform(M * K + N, M * K);
      const b = uniform(K * N + M, N * K);
      const mk = (v: number[], s: number[]) => (rank3 ? tf.tensor3d(v, [1, s[0], s[1]]) : tf.tensor2d(v, s as [number, number]));
      const ta = mk(a, tA ? [K, M] : [M, K]);
      const tb = mk(b, tB ? [N, K] : [K, N]);
      const got = tf.matMul(ta, tb, tA, tB);
      assert.deepEqual(got.shape, rank3 ? [1, M, N] : [M, N]);
      const want = new Float32Array(M * N);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[tA ? k * M + i : i * K + k] * b[tB ? j * K + k : k * N + j];
        want[i * N + j] = s;
      }
      assert.ok(maxAbsDiff(got.dataSync(), want) < 1e-4, `M=${M} K=${K} N=${N} tA=${tA} tB=${tB}`);
      tf.dispose([ta, tb, got]);
    }
  }
});

test('Identity and same-dtype Cast share the buffer on wasm, and disposing either leaves the other intact', () => {
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  const z = tf.cast(x, 'float32');
  const i = tf.cast(x, 'int32');
  const before = tf.memory().numBytes;
  x.dispose();
  assert.deepEqual([...y.dataSync()], [1, 2, 3]);
  y.dispose();
  assert.deepEqual([...z.dataSync()], [1, 2, 3]);
  assert.deepEqual([...i.dataSync()], [1, 2, 3]);
  assert.equal(i.dtype, 'int32');
  z.dispose();
  i.dispose();
  assert.ok(tf.memory().numBytes < before);
});

async function gradsOf(model: ReturnType<typeof buildArchitecture>, x: tf.Tensor, withRelease: boolean): Promise<{ input: Float32Array; weights: Float32Array[]; peakBytes: number }> {
  setBackwardMemoryRelease(withRelease);
  setLeanBatchNormGrad(withRelease);
  try {
    const score = (a: tf.Tensor) => tf.sum(tf.slice(model.apply(a) as tf.Tensor, [0, 1], [-1, 1]));
    let input: Float32Array = new Float32Array();
    const info = await tf.profile(() => {
      const g = tf.grad(score)(x);
      input = Float32Array.from(g.dataSync());
      g.dispose();
    });
    const { value, grads } = tf.variableGrads(() => score(x) as tf.Scalar);
    value.dispose();
    const weights = Object.values(grads).map((t) => t.dataSync() as Float32Array);
    tf.dispose(Object.values(grads));
    return { input, weights, peakBytes: info.peakBytes };
  } finally {
    setBackwardMemoryRelease(true);
    setLeanBatchNormGrad(true);
  }
}

for (const arch of ['resnet18', 'vgg11'] as const) {
  test(`${arch}: input and weight gradients are identical with the lean backward pass and the stock one, at a lower peak`, async () => {
    const model = buildArchitecture(arch, { inputShape: [32, 32, 3], numClasses: 5, width: 0.25, seed: 3 });
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 4);
    const tensorsBefore = tf.memory().numTensors;
    const stock = await gradsOf(model, x, false);
    const released = await gradsOf(model, x, true);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaked');
    assert.equal(maxAbsDiff(released.input, stock.input), 0);
    assert.equal(released.weights.length, stock.weights.length);
    released.weights.forEach((w, i) => assert.equal(maxAbsDiff(w, stock.weights[i]), 0, `weight ${i}`));
    assert.ok(released.peakBytes < stock.peakBytes, `peak ${released.peakBytes} vs ${stock.peakBytes} bytes`);
    x.dispose();
    model.dispose();
  });
}
