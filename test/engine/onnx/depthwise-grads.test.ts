// The wasm DepthwiseConv2dNativeBackpropInput kernel of main/engine/backend/depthwise-grads.ts against the cpu
// backend's reference kernel: strides 1 and 2 (3 for an odd case), same/valid/explicit and asymmetric padding, channel
// multipliers 1 to 3, kernel sizes 2 to 7.
import { before, describe, test } from 'node:test';
import { tf } from '../../../main/engine/tf';
import { initBackend } from '../../../main/engine/backend/select-backend';
import { installDepthwiseGrads } from '../../../main/engine/backend/depthwise-grads';
import { assertClose } from '../helpers';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const CASES: Array<[[number, number, number, number], [number, number, number, number], number, Pad]> = [
  [[2, 9, 9, 3], [3, 3, 3, 1], 1, 'same'],
  [[2, 9, 9, 3], [3, 3, 3, 2], 2, 'same'],
  [[1, 8, 8, 4], [3, 3, 4, 1], 2, [[0, 0], [1, 1], [1, 1], [0, 0]]],
  [[1, 7, 7, 2], [5, 5, 2, 1], 2, [[0, 0], [2, 2], [2, 2], [0, 0]]],
  [[1, 10, 11, 2], [7, 7, 2, 1], 1, [[0, 0], [3, 3], [3, 3], [0, 0]]],
  [[1, 10, 10, 2], [3, 3, 2, 3], 2, 'valid'],
  [[1, 6, 6, 2], [2, 2, 2, 1], 2, 'valid'],
  [[1, 9, 8, 2], [3, 3, 2, 1], 3, [[0, 0], [1, 0], [0, 1], [0, 0]]],
];

/** The input gradient of sum(depthwiseConv2d(x, f) * w) on one backend. */
async function inputGradient(backend: string, [xs, fs, s, pad]: (typeof CASES)[number]): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal(xs, 0, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomNormal(fs, 0, 1, 'float32', 2) as tf.Tensor4D;
    const w = tf.randomNormal(tf.depthwiseConv2d(x, f, s, pad).shape, 0, 1, 'float32', 3);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, f, s, pad), w)))(x).dataSync() as Float32Array;
  });
}

describe('depthwise convolution input gradient on wasm', () => {
  before(async () => {
    await initBackend('cpu');
    await initBackend('wasm');
    installDepthwiseGrads();
  });
  for (const c of CASES) {
    test(`x ${c[0]}, filter ${c[1]}, stride ${c[2]}, pad ${JSON.stringify(c[3])}`, async () => {
      const reference = await inputGradient('cpu', c);
      const wasm = await inputGradient('wasm', c);
      assertClose(wasm, reference, 1e-5, 'wasm vs cpu');
    });
  }
});
