// The max-pool input gradient the ONNX executor computes itself (wasm's MaxPoolGrad kernel drops some windows'
// gradients), against the cpu backend's reference kernel and, on wasm, through the executor's op.
import { before, describe, test } from 'node:test';
import { tf } from '../../../main/engine/tf';
import { initBackend } from '../../../main/engine/backend/select-backend';
import { maxPoolInputGradient, maxPoolWithGradient } from '../../../main/engine/model/onnx/ops/max-pool-gradient';
import { assertClose } from '../helpers';

type Pad = 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const CASES: Array<[[number, number, number, number], number, number, Pad]> = [
  [[1, 8, 8, 2], 2, 2, 'valid'],
  [[2, 6, 6, 4], 2, 2, 'valid'],
  [[1, 9, 9, 3], 3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]],
  [[1, 7, 7, 3], 2, 2, [[0, 0], [0, 1], [0, 1], [0, 0]]],
  [[1, 8, 8, 1], 3, 1, 'valid'],
];

function reference([shape, k, s, pad]: (typeof CASES)[number]): { x: Float32Array; dy: Float32Array; dx: Float32Array; dyShape: number[] } {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.maxPool(x, k, s, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), dy)))(x);
    return { x: x.dataSync() as Float32Array, dy: dy.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dyShape: dy.shape };
  });
}

describe('max-pool input gradient', () => {
  before(async () => {
    await initBackend('wasm');
    await initBackend('cpu');
  });
  for (const c of CASES) {
    const [shape, k, s, pad] = c;
    test(`x ${shape}, window ${k}, stride ${s}, pad ${JSON.stringify(pad)}`, async () => {
      await tf.setBackend('cpu');
      const ref = reference(c);
      const top = pad === 'valid' ? 0 : pad[1][0];
      const left = pad === 'valid' ? 0 : pad[2][0];
      assertClose(maxPoolInputGradient(ref.x, shape, ref.dy, ref.dyShape, { k: [k, k], s: [s, s], top, left }), ref.dx, 1e-6, 'host loop vs cpu kernel');
      await tf.setBackend('wasm');
      const dx = tf.tidy(() => {
        const x = tf.tensor4d(ref.x, shape);
        const dy = tf.tensor(ref.dy, ref.dyShape);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPoolWithGradient(a as tf.Tensor4D, [k, k], [s, s], pad), dy)))(x).dataSync();
      });
      assertClose(dx, ref.dx, 1e-6, 'on wasm vs cpu kernel');
    });
  }
});
