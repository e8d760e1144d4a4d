// The gradient CAM family on a hand-computed case. The model is input 8x8x3 -> 2x2 average pool 'pool' (4x4x3)
// -> flatten -> dense without bias, so the activation A is the pooled input and the class gradient at the pool is
// g = W[:, k] in (h, w, c) order; each method's map is then evaluated in plain JS from its paper's formula and
// resized bilinearly (half-pixel centres) to 8x8. Activations include negative values so that every final ReLU
// matters; the tests check that it does.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { type VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { assertClose, avgPool2Ref, maxAbsDiff, resizeBilinearRef, uniform } from './helpers';

before(async () => {
  await initBackend('wasm');
});

type ST = ReturnType<typeof tfl.input>;
const S = 8;
const h = 4;
const C = 3;
const K = 5;
const P = h * h;

const relu = (v: number) => Math.max(0, v);

/** Per-position sums over channels of w_c A_c, before the ReLU. */
function weighted(A: number[], w: number[]): number[] {
  return Array.from({ length: P }, (_, p) => w.reduce((s, wc, c) => s + wc * A[p * C + c], 0));
}
const channelSum = (A: number[], c: number) => Array.from({ length: P }, (_, p) => A[p * C + c]).reduce((a, b) => a + b, 0);

/** Each method's map before its final ReLU, [h * h]. */
const PRE: Record<string, (A: number[], g: number[]) => number[]> = {
  // Selvaraju et al.: w_c = (1/Z) sum_ij g_ijc.
  gradcam: (A, g) => weighted(A, [0, 1, 2].map((c) => Array.from({ length: P }, (_, p) => g[p * C + c]).reduce((a, b) => a + b, 0) / P)),
  // Chattopadhyay et al. Eq. 19 (exp. score): alpha = g^2 / (2 g^2 + (sum_ab A_ab) g^3), w_c = sum_ij alpha relu(g).
  'gradcam++': (A, g) => weighted(A, [0, 1, 2].map((c) => {
    const s = channelSum(A, c);
    let w = 0;
    for (let p = 0; p < P; p++) {
      const gi = g[p * C + c];
      const denom = 2 * gi * gi + s * gi ** 3;
      const alpha = gi === 0 || denom === 0 ? 0 : (gi * gi) / denom;
      w += alpha * relu(gi);
    }
    return w;
  })),
  // Fu et al.: w_c = sum_ij (A_ijc / sum_ab A_abc) g_ijc.
  xgradcam: (A, g) => weighted(A, [0, 1, 2].map((c) => {
    const s = channelSum(A, c);
    let w = 0;
    for (let p = 0; p < P; p++) w += (A[p * C + c] / s) * g[p * C + c];
    return w;
  })),
  // Jiang et al.: sum_c relu(g_ijc) A_ijc.
  layercam: (A, g) => Array.from({ length: P }, (_, p) => [0, 1, 2].reduce((s, c) => s + relu(g[p * C + c]) * A[p * C + c], 0)),
};

const toInput = (m: number[]) => resizeBilinearRef(m, h, h, S, S);

describe('CAM methods on a hand-computed case', () => {
  // Inputs in [-1, 1.4]: the pooled activation has negative entries while every channel sum stays positive.
  const x0 = uniform(41, S * S * C, -1, 1.4);
  const W = uniform(42, P * C * K, -1, 1);
  const A = avgPool2Ref(x0, S, S, C);
  const gOf = (k: number) => Array.from({ length: P * C }, (_, i) => W[i * K + k]);
  let vm: VisionModel;
  let input: tf.Tensor4D;

  before(() => {
    const inp = tfl.input({ shape: [S, S, C], name: 'input' });
    const pool = tfl.layers.averagePooling2d({ poolSize: 2, name: 'pool' }).apply(inp) as ST;
    const flat = tfl.layers.flatten({ name: 'flatten' }).apply(pool) as ST;
    const dense = tfl.layers.dense({ units: K, useBias: false, name: 'logits' });
    const model = tfl.model({ inputs: inp, outputs: dense.apply(flat) as ST });
    dense.setWeights([tf.tensor2d(W, [P * C, K])]);
    vm = wrapModel(model, null, 'cam', null);
    input = tf.tensor4d(x0, [1, S, S, C]);
  });

  test('the case exercises every final ReLU (some pre-ReLU values are negative, some positive)', () => {
    assert.ok(A.some((v) => v < 0));
    for (let c = 0; c < C; c++) assert.ok(channelSum(A, c) > 0);
    for (const [id, pre] of Object.entries(PRE)) {
      const all = [0, 1, 2, 3, 4].flatMap((k) => pre(A, gOf(k)));
      assert.ok(all.some((v) => v < -1e-3) && all.some((v) => v > 1e-3), `${id}: pre-ReLU values all of one sign`);
    }
  });

  for (const id of Object.keys(PRE)) {
    test(`${id} equals its formula for every target class, at the default layer`, () => {
      const plan = planMethods(vm, [id], {});
      assert.deepEqual(plan[0].params.layers, ['pool']);
      for (let k = 0; k < K; k++) {
        const r = explainImage(vm, input, plan, k);
        assert.equal(r.targetClass, k);
        assert.deepEqual(r.maps[0].cutPoints, ['pool']);
        assert.equal(r.maps[0].height, S);
        const want = toInput(PRE[id](A, gOf(k)).map(relu));
        assertClose(r.maps[0].map, want, 1e-5, `${id} class ${k}`);
      }
    });
  }

  test('the hand cases tell each method from its known wrong variants', () => {
    // Without these differences the formula tests above could not catch the bugs of public code (reference notes 4.1).
    const k = 1;
    const g = gOf(k);
    const sumAg3 = (c: number) => Array.from({ length: P }, (_, p) => A[p * C + c] * g[p * C + c] ** 3).reduce((a, b) => a + b, 0);
    const ppWrongDenom = weighted(A, [0, 1, 2].map((c) => {
      let w = 0;
      for (let p = 0; p < P; p++) {
        const gi = g[p * C + c];
        w += ((gi * gi) / (2 * gi * gi + sumAg3(c))) * relu(gi);
      }
      return w;
    }));
    const xgWithGradFactor = weighted(A, [0, 1, 2].map((c) => {
      let w = 0;
      for (let p = 0; p < P; p++) w += (A[p * C + c] / channelSum(A, c)) * g[p * C + c] * g[p * C + c];
      return w;
    }));
    const r = explainImage(vm, input, planMethods(vm, ['gradcam++', 'xgradcam', 'gradcam'], {}), k);
    assert.ok(maxAbsDiff(r.maps[0].map, toInput(ppWrongDenom.map(relu))) > 1e-3, 'Grad-CAM++ with the sum(A g^3) denominator');
    assert.ok(maxAbsDiff(r.maps[0].map, toInput(PRE['gradcam++'](A, g))) > 1e-3, 'Grad-CAM++ without the final ReLU');
    assert.ok(maxAbsDiff(r.maps[1].map, toInput(xgWithGradFactor.map(relu))) > 1e-3, 'XGrad-CAM with an extra gradient factor');
    const sumWeights = weighted(A, [0, 1, 2].map((c) => Array.from({ length: P }, (_, p) => g[p * C + c]).reduce((a, b) => a + b, 0)));
    assert.ok(maxAbsDiff(r.maps[2].map, toInput(sumWeights.map(relu))) > 1e-3, 'Grad-CAM with summed instead of averaged gradients');
  });

  test('a CAM method takes exactly one layer', () => {
    assert.throws(() => planMethods(vm, ['gradcam'], { layers: ['pool', 'input'] }), /takes 1 layer/);
  });
});
