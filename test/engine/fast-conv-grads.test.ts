// The Conv2D gradient kernels of backend/fast-conv-grads.ts (input gradient on wasm, filter gradient on wasm and
// cpu) against a direct JS loop of the convolution's adjoint, for strides 1 and 2, same and valid padding, square
// and non-square filters, and input sizes the stride does not divide. Also: a conv model trains on wasm.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { installFastConvGrads } from '../../main/engine/backend/fast-conv-grads';
import { assertClose, uniform } from './helpers';

before(async () => {
  await initBackend('wasm');
});

interface Case { kh: number; kw: number; stride: [number, number]; pad: 'same' | 'valid' }

/** TF's output size and leading padding for one spatial axis. */
function axis(size: number, k: number, s: number, pad: 'same' | 'valid'): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - k + 1) / s), before: 0 };
  const out = Math.ceil(size / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + k - size, 0) / 2) };
}

/** d/dx and d/dw of sum(conv2d(x, w) ⊙ dy), by direct loops over the forward sum. */
function convGradsRef(x: number[], xs: number[], w: number[], ws: number[], dy: number[], c: Case) {
  const [N, H, W, Ci] = xs;
  const [KH, KW, , Co] = ws;
  const ah = axis(H, KH, c.stride[0], c.pad);
  const aw = axis(W, KW, c.stride[1], c.pad);
  const dx = new Array<number>(x.length).fill(0);
  const dw = new Array<number>(w.length).fill(0);
  for (let n = 0; n < N; n++) for (let oh = 0; oh < ah.out; oh++) for (let ow = 0; ow < aw.out; ow++) {
    for (let co = 0; co < Co; co++) {
      const d = dy[((n * ah.out + oh) * aw.out + ow) * Co + co];
      for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) {
        const ih = oh * c.stride[0] + i - ah.before;
        const iw = ow * c.stride[1] + j - aw.before;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        for (let ci = 0; ci < Ci; ci++) {
          const xi = ((n * H + ih) * W + iw) * Ci + ci;
          const wi = ((i * KW + j) * Ci + ci) * Co + co;
          dx[xi] += w[wi] * d;
          dw[wi] += x[xi] * d;
        }
      }
    }
  }
  return { dx, dw, outShape: [N, ah.out, aw.out, Co] };
}

const CASES: Case[] = [];
for (const [kh, kw] of [[3, 3], [5, 5], [1, 1], [4, 2]]) {
  for (const stride of [[1, 1], [2, 2]] as Array<[number, number]>) for (const pad of ['same', 'valid'] as const) CASES.push({ kh, kw, stride, pad });
}
CASES.push({ kh: 3, kw: 3, stride: [1, 2], pad: 'same' }, { kh: 3, kw: 2, stride: [2, 1], pad: 'valid' });
// ResNet's stem (7x7 stride 2) and a stride larger than the filter is short (phases with no taps).
CASES.push({ kh: 7, kw: 7, stride: [2, 2], pad: 'same' }, { kh: 2, kw: 3, stride: [3, 3], pad: 'same' }, { kh: 5, kw: 5, stride: [3, 2], pad: 'valid' });

function checkCase(c: Case, seed: number): void {
  const xs = [2, 7, 6, 3];
  const ws = [c.kh, c.kw, 3, 4];
  const x = uniform(seed, xs.reduce((a, b) => a * b), -1, 1);
  const w = uniform(seed + 1, ws.reduce((a, b) => a * b), -1, 1);
  const probe = convGradsRef(x, xs, w, ws, [], { ...c });
  const dy = uniform(seed + 2, probe.outShape.reduce((a, b) => a * b), -1, 1);
  const ref = convGradsRef(x, xs, w, ws, dy, c);
  tf.tidy(() => {
    const xt = tf.tensor4d(x, xs as [number, number, number, number]);
    const wt = tf.tensor4d(w, ws as [number, number, number, number]);
    const dyt = tf.tensor(dy, ref.outShape);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dyt));
    assert.deepEqual(tf.conv2d(xt, wt, c.stride, c.pad).shape, ref.outShape, 'forward shape');
    const [gx, gw] = tf.grads(f)([xt, wt]);
    assert.deepEqual(gx.shape, xs);
    assert.deepEqual(gw.shape, ws);
    const what = `${tf.getBackend()} ${c.kh}x${c.kw} stride ${c.stride.join(',')} ${c.pad}`;
    assertClose(gx.dataSync(), ref.dx, 1e-4, `input gradient, ${what}`);
    assertClose(gw.dataSync(), ref.dw, 1e-4, `filter gradient, ${what}`);
  });
}

describe('Conv2D gradients vs a direct loop', () => {
  test('wasm: the fast kernels are the registered ones', () => {
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'no Conv2DBackpropFilter on wasm');
    assert.ok(tf.getKernel('Conv2DBackpropInput', 'wasm'));
    assert.equal(tf.getBackend(), 'wasm');
  });

  for (const [i, c] of CASES.entries()) {
    test(`wasm ${c.kh}x${c.kw}, stride ${c.stride.join('x')}, ${c.pad}`, () => checkCase(c, 100 + 10 * i));
  }

  test('wasm: a filter used again gives the same gradient, and its prepared copies go with it', () => {
    const backend = tf.backend();
    const dy = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 9);
    const grad = (w: tf.Tensor4D) => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w, 2, 'same'), dy)))(tf.ones([2, 8, 8, 3])).dataSync());
    const w1 = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 1) as tf.Tensor4D;
    const first = grad(w1);
    assertClose(grad(w1), first, 0, 'second use of the filter');
    const held = backend.numDataIds();
    w1.dispose();
    // A new filter of the same shape: its own gradient, not the disposed filter's prepared copies.
    const w2 = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const second = grad(w2);
    assert.ok(Math.abs(second[0] - first[0]) > 1e-6, 'the new filter gave the old gradient');
    w2.dispose();
    const w3 = tf.zeros([1, 1, 3, 5]) as tf.Tensor4D;
    grad(w3);
    assert.ok(backend.numDataIds() < held, `prepared filters of disposed filters are released (${backend.numDataIds()} >= ${held})`);
    w3.dispose();
    dy.dispose();
  });

  test('cpu (stock input gradient, fast filter gradient) on every case', async () => {
    installFastConvGrads('cpu');
    assert.ok(await tf.setBackend('cpu'));
    try {
      for (const [i, c] of CASES.entries()) checkCase(c, 500 + 10 * i);
    } finally {
      assert.ok(await tf.setBackend('wasm'));
    }
  });
});

describe('training on wasm', () => {
  test('a conv model fits without "Conv2DBackpropFilter not registered" and its conv weights change', async () => {
    assert.equal(tf.getBackend(), 'wasm');
    // Seeded initializers and tanh: a relu net at a random init can die and leave the first layer's update at 0.
    const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotNormal({ seed }) });
    const model = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', name: 'c1', ...init(1) }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'tanh', name: 'c2', ...init(2) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, ...init(3) }),
    ] });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    const before = model.getLayer('c1').getWeights()[0].dataSync().slice();
    const xs = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const h = await model.fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0 });
    const losses = h.history.loss as number[];
    assert.ok(losses.every(Number.isFinite));
    const after = model.getLayer('c1').getWeights()[0].dataSync();
    assert.ok(after.some((v, i) => v !== before[i]), 'the first conv layer was not updated');
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
