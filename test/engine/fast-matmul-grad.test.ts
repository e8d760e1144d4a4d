// The wasm BatchMatMul override (cached transposed weights for dy · Wᵀ) must give the same numbers as the plain
// kernel, and must notice when a weight changes (training and randomization re-assign weights).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** dy · Wᵀ by explicit loops, the reference. */
function reference(a: number[][], w: number[][]): number[][] {
  return a.map((row) => w.map((wr) => wr.reduce((s, v, k) => s + v * row[k], 0)));
}

test('matMul(a, W, transposeB) on wasm equals the explicit product, 2-D and batched 3-D', async () => {
  await initBackend('wasm');
  const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
  const w = tf.randomNormal([4, 7], 0, 1, 'float32', 2);
  const got = tf.matMul(a, w, false, true);
  const want = tf.tensor2d(reference(a.arraySync() as number[][], w.arraySync() as number[][]));
  assert.ok(maxAbsDiff(got, want) < 1e-5);
  const got3 = tf.matMul(tf.expandDims(a, 0), tf.expandDims(w, 0), false, true);
  assert.ok(maxAbsDiff(tf.squeeze(got3, [0]), want) < 1e-5);
  tf.dispose([a, w, got, want, got3]);
});

test('after a weight is re-assigned, the product uses the new values', async () => {
  await initBackend('wasm');
  const a = tf.randomNormal([3, 6], 0, 1, 'float32', 3);
  const v = tf.variable(tf.randomNormal([5, 6], 0, 1, 'float32', 4));
  const first = tf.matMul(a, v, false, true);
  assert.ok(maxAbsDiff(first, tf.tensor2d(reference(a.arraySync() as number[][], v.arraySync() as number[][]))) < 1e-5);
  v.assign(tf.randomNormal([5, 6], 0, 1, 'float32', 5));
  const second = tf.matMul(a, v, false, true);
  assert.ok(maxAbsDiff(second, tf.tensor2d(reference(a.arraySync() as number[][], v.arraySync() as number[][]))) < 1e-5);
  assert.ok(maxAbsDiff(first, second) > 1e-2, 'the re-assigned weight changed the result');
  tf.dispose([a, v, first, second]);
});

test('the dense-layer input gradient through the override matches finite differences', async () => {
  await initBackend('wasm');
  const w = tf.randomNormal([8, 3], 0, 1, 'float32', 6);
  const x = tf.randomNormal([2, 8], 0, 1, 'float32', 7);
  const f = (t: tf.Tensor) => tf.sum(tf.square(tf.matMul(t, w)));
  const g = tf.grad(f)(x);
  const eps = 1e-2;
  const dir = tf.randomNormal([2, 8], 0, 1, 'float32', 8);
  const fd = (f(tf.add(x, tf.mul(eps, dir))).dataSync()[0] - f(tf.sub(x, tf.mul(eps, dir))).dataSync()[0]) / (2 * eps);
  const an = tf.sum(tf.mul(g, dir)).dataSync()[0];
  assert.ok(Math.abs(fd - an) <= 1e-2 * Math.max(1, Math.abs(an)), `finite difference ${fd} vs autodiff ${an}`);
});
