// The max-pool input gradient: the engine's loop against the cpu backend's reference kernel, and wasm's MaxPoolGrad
// (replaced by the loop, backend/fast-pool-grads.ts) against the same reference, through tf.grad of tf.maxPool and
// through a LayersModel's pooling layer. The stock wasm kernel fails the ResNet-stem case.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { maxPoolInputGradient } from '../../main/engine/backend/max-pool-input-gradient';
import { assertClose } from './helpers';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
const CASES: Array<[[number, number, number, number], number, number, Pad]> = [
  [[1, 8, 8, 2], 2, 2, 'valid'],
  [[2, 6, 6, 4], 2, 2, 'valid'],
  [[1, 9, 9, 3], 3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]],
  [[1, 7, 7, 3], 2, 2, [[0, 0], [0, 1], [0, 1], [0, 0]]],
  [[1, 8, 8, 1], 3, 1, 'valid'],
  // ResNet's stem pool, where the stock wasm kernel dropped gradients.
  [[1, 112, 112, 64], 3, 2, 'same'],
];

function padOf(pad: Pad, shape: number[], k: number, s: number): { top: number; left: number } {
  if (pad === 'valid') return { top: 0, left: 0 };
  if (pad === 'same') {
    const total = Math.max(0, (Math.ceil(shape[1] / s) - 1) * s + k - shape[1]);
    return { top: Math.floor(total / 2), left: Math.floor(total / 2) };
  }
  return { top: pad[1][0], left: pad[2][0] };
}

function reference([shape, k, s, pad]: (typeof CASES)[number]): { x: Float32Array; dy: Float32Array; dx: Float32Array; dyShape: number[] } {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.maxPool(x, k, s, pad as 'valid');
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad as 'valid'), dy)))(x);
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
    test(`x ${shape}, window ${k}, stride ${s}, pad ${JSON.stringify(pad)}: loop and wasm kernel equal the cpu kernel`, async () => {
      await tf.setBackend('cpu');
      const ref = reference(c);
      assertClose(maxPoolInputGradient(ref.x, shape, ref.dy, ref.dyShape, { k: [k, k], s: [s, s], ...padOf(pad, shape, k, s) }), ref.dx, 1e-6, 'host loop vs cpu kernel');
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const dx = tf.tidy(() => {
        const x = tf.tensor4d(ref.x, shape);
        const dy = tf.tensor(ref.dy, ref.dyShape);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad as 'valid'), dy)))(x).dataSync();
      });
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
      assertClose(dx, ref.dx, 1e-6, 'wasm kernel vs cpu kernel');
    });
  }

  test('a LayersModel with a 3x3 stride-2 same pool has the cpu backend\'s input gradient on wasm', async () => {
    const model = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [56, 56, 3], filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotNormal({ seed: 4 }) }),
    ] });
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.randomNormal([2, 56, 56, 3], 0, 1, 'float32', 5);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.slice(model.predict(a) as tf.Tensor, [0, 1], [-1, 1])))(x).dataSync();
      });
    };
    const onCpu = await grad('cpu');
    assertClose(await grad('wasm'), onCpu, 1e-4, 'wasm vs cpu');
    model.dispose();
  });
});
