// Rollout, GAE and Gradient Rollout on hand-made attention matrices and gradients, against the formulas of docs/methods.md
// §2 evaluated by hand (plain loops) in the test; then DIX on a ViT against the same formulas applied to
// attentions and gradients read from the model one interpolant at a time.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { clsRow, gaeRelevance, headMean, positiveHeadMean, rollout, tokenMapToInput } from '../../main/engine/explain/methods/vit-attention-math';
import { attentionGradients } from '../../main/engine/explain/methods/vit-attention-pass';
import { ImageContext } from '../../main/engine/explain/image-context';
import { getMethod } from '../../main/engine/explain/registry';
import { dixLayerMap } from '../../main/engine/explain/methods/dix-base';
import type { VitDixParams } from '../../main/engine/explain/methods/vit-dix';
import { assertClose, resizeBilinearRef, uniform, values } from './helpers';
import { makeTestVit, matmul, type Mat } from './vit-reference';

before(async () => {
  await initBackend('wasm');
});

const T = 3;
// Two blocks, two heads, three tokens, written out.
const A: Mat[][] = [
  [[[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]], [[0.2, 0.2, 0.6], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05]]],
  [[[0.1, 0.6, 0.3], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4]], [[0.7, 0.1, 0.2], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]],
];
const G: Mat[][] = [
  [[[1, -2, 0.5], [0, 1, -1], [2, 0, 1]], [[-1, 3, 1], [0.5, 0.5, -0.5], [1, -1, 2]]],
  [[[0.5, 1, -1], [2, -0.5, 0], [0, 1, 1]], [[-2, 0.5, 1.5], [1, 1, -1], [0, -3, 2]]],
];
const asTensor = (m: Mat[]) => tf.tensor4d(m.flat(2), [1, m.length, T, T]);
const I: Mat = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
const add = (a: Mat, b: Mat) => a.map((r, i) => r.map((v, j) => v + b[i][j]));
const rowNormalize = (a: Mat) => a.map((r) => r.map((v) => v / r.reduce((s, x) => s + x, 0)));
const meanHeads = (heads: Mat[], f: (a: number, i: number, j: number, h: number) => number) =>
  heads[0].map((r, i) => r.map((_, j) => heads.reduce((s, _m, h) => s + f(heads[h][i][j], i, j, h), 0) / heads.length));

describe('attention rollout, GAE and gradient rollout, by hand', () => {
  test('rollout: head mean, + I, rows normalized, later blocks on the left', () => {
    const bar = A.map((heads) => meanHeads(heads, (a) => a));
    const hat = bar.map((m) => rowNormalize(add(m, I)));
    const expected = matmul(hat[1], hat[0]);
    tf.tidy(() => {
      const r = rollout(A.map((b) => headMean(asTensor(b))), { normalizeRows: true, startBlock: 0 });
      assertClose(values(r), expected.flat(), 1e-6, 'R');
      assertClose(values(clsRow(r)), expected[0].slice(1), 1e-6, '[CLS] row without its first element');
      // Not the reversed product (matrix products do not commute here).
      assert.ok(Math.abs(values(r)[1] - matmul(hat[0], hat[1])[0][1]) > 1e-3);
      const fromSecond = rollout(A.map((b) => headMean(asTensor(b))), { normalizeRows: true, startBlock: 1 });
      assertClose(values(fromSecond), hat[1].flat(), 1e-6, 'start block 1');
    });
  });

  test('GR and T-Attr factors: relu per head, then the head mean; T-Attr without row normalization', () => {
    const bar = A.map((heads, b) => meanHeads(heads, (a, i, j, h) => Math.max(0, a * G[b][h][i][j])));
    tf.tidy(() => {
      const mats = A.map((heads, b) => positiveHeadMean(asTensor(heads), asTensor(G[b])));
      mats.forEach((m, b) => assertClose(values(m), bar[b].flat(), 1e-6, `Ā_${b}`));
      // A relu after the head mean (jacobgil's vit-explain) would differ.
      const reluAfter = meanHeads(A[0], (a, i, j, h) => a * G[0][h][i][j]).map((r) => r.map((v) => Math.max(0, v)));
      assert.ok(bar[0].flat().some((v, i) => Math.abs(v - reluAfter.flat()[i]) > 1e-3));
      const gr = rollout(mats, { normalizeRows: true, startBlock: 0 });
      assertClose(values(gr), matmul(rowNormalize(add(bar[1], I)), rowNormalize(add(bar[0], I))).flat(), 1e-6, 'GR');
      const tattr = rollout(mats, { normalizeRows: false, startBlock: 0 });
      assertClose(values(tattr), matmul(add(bar[1], I), add(bar[0], I)).flat(), 1e-6, 'T-Attr product');
    });
  });

  test('GAE: R = I, then R <- R + Ā_b R in block order, not normalized', () => {
    const bar = A.map((heads, b) => meanHeads(heads, (a, i, j, h) => Math.max(0, a * G[b][h][i][j])));
    let r = I;
    for (const m of bar) r = add(r, matmul(m, r));
    tf.tidy(() => {
      const out = gaeRelevance(A.map((heads, b) => positiveHeadMean(asTensor(heads), asTensor(G[b]))));
      assertClose(values(out), r.flat(), 1e-6, 'R');
    });
  });

  test('the patch row is laid out row-major on the grid and resized bilinearly', () => {
    const row = uniform(3, 6, 0, 1);
    tf.tidy(() => {
      const m = tokenMapToInput(tf.tensor2d([row]), [2, 3], 8, 12);
      assertClose(values(m), resizeBilinearRef(row, 2, 3, 8, 12), 1e-6, 'map');
    });
  });
});

describe('DIX on a ViT (docs/methods.md §2)', () => {
  /** GR of one pass, by hand from the attentions and gradients of every block. */
  function handGr(attn: Mat[][], grad: Mat[][], useAttention: boolean): number[] {
    const bar = attn.map((heads, b) => meanHeads(heads, (a, i, j, h) => Math.max(0, (useAttention ? a : 1) * grad[b][h][i][j])));
    let r: Mat | null = null;
    for (const m of bar) {
      const hat = rowNormalize(add(m, m.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)))));
      r = r ? matmul(hat, r) : hat;
    }
    return r![0].slice(1);
  }

  const perHead = (t: tf.Tensor): Mat[] => {
    const [, h, n] = t.shape;
    const v = values(t);
    return Array.from({ length: h }, (_, i) => Array.from({ length: n }, (_, r) => v.slice((i * n + r) * n, (i * n + r + 1) * n)));
  };

  for (const id of ['dix1', 'dix3-grads']) {
    test(`${id}: the mean over t = n/N of GR with t A^l in block l, batched, equals the interpolants one at a time`, () => {
      const vm = makeTestVit({ seed: 21 });
      const method = getMethod(id);
      const params = method.resolveParams(vm, { steps: 4 }) as VitDixParams;
      assert.equal(params.baseline, 'zero');
      const layer = params.layers[params.layers.length - 1];
      assert.equal(layer, 'blocks.2');
      const x = tf.tensor4d(uniform(22, 8 * 8 * 3), [1, 8, 8, 3]);
      const ctx = new ImageContext(vm, x, method.cutPoints(vm, params));
      const l = 2;
      const n = 4;
      const expected = new Array<number>(vm.tokens - 1).fill(0);
      tf.tidy(() => {
        const a = vm.forward(x).attentions[l];
        for (let s = 1; s <= n; s++) {
          const { attentions, gradients } = attentionGradients((o) => vm.forward(x, { ...o, replace: new Map([[l, tf.mul(a, s / n)]]) }),
            [0, 1, 2], [1, vm.heads, vm.tokens, vm.tokens], ctx.targetClass);
          const gr = handGr(attentions.map(perHead), gradients.map(perHead), id === 'dix1');
          gr.forEach((v, i) => { expected[i] += v / n; });
        }
      });
      const want = resizeBilinearRef(expected, 4, 4, 8, 8);
      for (const batchSize of [4, 3, 1]) {
        tf.tidy(() => assertClose(values(dixLayerMap(ctx, layer, params, { batchSize })), want, 1e-4, `batch ${batchSize}`));
      }
      // 'from-layer' starts the product at block l and differs from the all-block GR of docs/methods.md §2.3 ...
      tf.tidy(() => {
        const short = values(dixLayerMap(ctx, layer, { ...params, rolloutBlocks: 'from-layer' } as VitDixParams, {}));
        assert.ok(short.some((v, i) => Math.abs(v - want[i]) > 1e-3));
        // ... except at the first block, where both run every block.
        assertClose(values(dixLayerMap(ctx, 'blocks.0', { ...params, rolloutBlocks: 'from-layer' } as VitDixParams, {})),
          values(dixLayerMap(ctx, 'blocks.0', params, {})), 1e-5, 'block 0');
      });
      ctx.dispose();
      x.dispose();
      vm.dispose();
    });
  }
});
