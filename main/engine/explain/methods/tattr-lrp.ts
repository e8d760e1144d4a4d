// The relevance propagation of T-Attr (Chefer, Gur & Wolf, CVPR 2021), rule for rule as their ViT_LRP.py and
// layers_ours.py do it, written here from those rules for one image ([T, D] tokens, no batch axis):
//   Linear      alpha = 1, beta = 0: Z = x⁺ W⁺ + x⁻ W⁻ (bias left out), S = R / Z, R_x = x⁺ (S W⁺ᵀ) + x⁻ (S W⁻ᵀ)
//   A · B       (attention · values, q · kᵀ): S = R / (A B), R_A = A ⊙ (S Bᵀ), R_B = B ⊙ (Aᵀ S), each then halved
//   x + y       (residual): z-rule shares, rescaled so the two parts keep the ratio |Σ R_x| : |Σ R_y| and sum to Σ R
//   clone       (the residual fork): R_x = x ⊙ (R_1 / x + R_2 / x)
//   [CLS] pick  relevance goes to token 0 only; LayerNorm, GELU and softmax pass relevance on unchanged
// starting from the one-hot of the target class at the logits. Division is Chefer's safe_divide: a / (b + 1e-9),
// and 0 where b = 0. What T-Attr keeps is each block's attention relevance R_A (after the halving).
import { tf } from '../../tf';
import type { DenseWeights, EncoderBlockWeights, EncoderWeights } from '../../model/vision-model';
import { dense, gelu, layerNorm } from '../../model/vit/vit-forward';

/** Chefer's safe_divide. */
export function safeDivide(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const den0 = tf.add(b, 1e-9);
  const den = tf.add(den0, tf.mul(tf.cast(tf.equal(den0, 0), 'float32'), 1e-9));
  return tf.mul(tf.div(a, den), tf.cast(tf.notEqual(b, 0), 'float32'));
}

const negativePart = (t: tf.Tensor) => tf.neg(tf.relu(tf.neg(t)));

/** Linear layer, alpha1-beta0 rule: x [n, in], kernel [in, out], R [n, out] -> [n, in]. */
export function linearRelevance(r: tf.Tensor, x: tf.Tensor, w: DenseWeights): tf.Tensor {
  const pw = tf.relu(w.kernel);
  const nw = negativePart(w.kernel);
  const px = tf.relu(x);
  const nx = negativePart(x);
  const z = tf.add(tf.matMul(px, pw), tf.matMul(nx, nw));
  const s = safeDivide(r, z);
  return tf.add(tf.mul(px, tf.matMul(s, pw, false, true)), tf.mul(nx, tf.matMul(s, nw, false, true)));
}

/** Z = a b (batched over heads): relevance of a and of b, each halved (Chefer halves both after the rule). */
export function productRelevance(r: tf.Tensor, a: tf.Tensor, b: tf.Tensor, transposeB = false): [tf.Tensor, tf.Tensor] {
  const s = safeDivide(r, tf.matMul(a, b, false, transposeB));
  const ra = tf.mul(a, tf.matMul(s, b, false, !transposeB));
  // d(a b)/db: aᵀ s; d(a bᵀ)/db: sᵀ a.
  const rb = tf.mul(b, transposeB ? tf.matMul(s, a, true, false) : tf.matMul(a, s, true, false));
  return [tf.div(ra, 2), tf.div(rb, 2)];
}

/** The residual sum x + y. */
export function addRelevance(r: tf.Tensor, x: tf.Tensor, y: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const s = safeDivide(r, tf.add(x, y));
  const a = tf.mul(x, s);
  const b = tf.mul(y, s);
  const aSum = tf.sum(a);
  const bSum = tf.sum(b);
  const total = tf.add(tf.abs(aSum), tf.abs(bSum));
  const rSum = tf.sum(r);
  const aFact = tf.mul(safeDivide(tf.abs(aSum), total), rSum);
  const bFact = tf.mul(safeDivide(tf.abs(bSum), total), rSum);
  return [tf.mul(a, safeDivide(aFact, aSum)), tf.mul(b, safeDivide(bFact, bSum))];
}

/** The residual fork: x feeds both the skip path (relevance r1) and the branch (r2). */
export function cloneRelevance(r1: tf.Tensor, r2: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.add(safeDivide(r1, x), safeDivide(r2, x)));
}

/** Everything of one block's forward pass the rules need. Per-head tensors are [heads, T, d_h]. */
export interface BlockActivations {
  input: tf.Tensor;
  norm1: tf.Tensor;
  q: tf.Tensor;
  k: tf.Tensor;
  v: tf.Tensor;
  attention: tf.Tensor;
  /** The heads' outputs merged, [T, D]: the projection's input. */
  merged: tf.Tensor;
  proj: tf.Tensor;
  mid: tf.Tensor;
  norm2: tf.Tensor;
  fc1: tf.Tensor;
  gelu: tf.Tensor;
  fc2: tf.Tensor;
}

const toHeads = (t: tf.Tensor, heads: number) => tf.transpose(tf.reshape(t, [t.shape[0], heads, -1]), [1, 0, 2]);
const fromHeads = (t: tf.Tensor) => tf.reshape(tf.transpose(t, [1, 0, 2]), [t.shape[1] as number, -1]);

export function blockActivations(x: tf.Tensor, w: EncoderBlockWeights, heads: number, form: 'erf' | 'tanh'): BlockActivations {
  const norm1 = layerNorm(x, w.norm1);
  const [q, k, v] = tf.split(dense(norm1, w.qkv), 3, -1).map((t) => toHeads(t, heads));
  const attention = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[2] as number)));
  const merged = fromHeads(tf.matMul(attention, v));
  const proj = dense(merged, w.proj);
  const mid = tf.add(x, proj);
  const norm2 = layerNorm(mid, w.norm2);
  const fc1 = dense(norm2, w.fc1);
  const g = gelu(fc1, form);
  const fc2 = dense(g, w.fc2);
  return { input: x, norm1, q, k, v, attention, merged, proj, mid, norm2, fc1, gelu: g, fc2 };
}

export function blockOutput(a: BlockActivations): tf.Tensor {
  return tf.add(a.mid, a.fc2);
}

/** Relevance of the block's input from that of its output; also the attention's relevance R_A [heads, T, T]. */
export function blockRelevance(r: tf.Tensor, a: BlockActivations, w: EncoderBlockWeights, heads: number): { input: tf.Tensor; attention: tf.Tensor } {
  const [skip2, mlp] = addRelevance(r, a.mid, a.fc2);
  const rNorm2 = linearRelevance(linearRelevance(mlp, a.gelu, w.fc2), a.norm2, w.fc1); // GELU and norm2 pass it on
  const rMid = cloneRelevance(skip2, rNorm2, a.mid);
  const [skip1, attn] = addRelevance(rMid, a.input, a.proj);
  const rHeads = toHeads(linearRelevance(attn, a.merged, w.proj), heads);
  const [rA, rV] = productRelevance(rHeads, a.attention, a.v);
  const [rQ, rK] = productRelevance(rA, a.q, a.k, true); // softmax passes R_A on to q kᵀ
  const rQkv = tf.concat([fromHeads(rQ), fromHeads(rK), fromHeads(rV)], -1);
  const rNorm1 = linearRelevance(rQkv, a.norm1, w.qkv);
  return { input: cloneRelevance(skip1, rNorm1, a.input), attention: rA };
}

export interface EncoderRelevance {
  logits: tf.Tensor1D;
  /** Per block, R_A [heads, T, T]. */
  attention: tf.Tensor[];
  /** Relevance of the tokens entering block 0, [T, D]. */
  input: tf.Tensor;
}

/**
 * The LRP pass of T-Attr from the tokens entering block 0 ([T, D]) for class k. Only the results outlive it, and each
 * block's intermediates (the weights' positive and negative parts among them) are freed before the next block's: on
 * vit_b_16 keeping them all exhausts the wasm heap.
 */
export function encoderRelevance(tokens: tf.Tensor, e: EncoderWeights, heads: number, k: number): EncoderRelevance {
  return tf.tidy(() => {
    const { logits, attention, input } = relevancePass(tokens, e, heads, k);
    return { logits, attention, input };
  }) as EncoderRelevance;
}

function relevancePass(tokens: tf.Tensor, e: EncoderWeights, heads: number, k: number): EncoderRelevance {
  const acts: BlockActivations[] = [];
  let x = tokens;
  for (const w of e.blocks) {
    const a = blockActivations(x, w, heads, e.gelu);
    acts.push(a);
    x = blockOutput(a);
  }
  const [t, d] = x.shape;
  const cls = layerNorm(tf.slice(x, [0, 0], [1, d]), e.norm);
  const logits = tf.reshape(dense(cls, e.head), [-1]) as tf.Tensor1D;
  const oneHot = tf.tensor2d([Array.from({ length: logits.shape[0] }, (_, i) => (i === k ? 1 : 0))]);
  const rCls = linearRelevance(oneHot, cls, e.head);
  // Chefer picks [CLS] after the final norm (IndexSelect's rule on the normed tokens), then the norm passes it on.
  let r = tf.concat([tf.mul(cls, safeDivide(rCls, cls)), tf.zeros([t - 1, d])], 0);
  const attention: tf.Tensor[] = [];
  for (let b = e.blocks.length - 1; b >= 0; b--) {
    const rIn = r;
    const [input, rA] = tf.tidy(() => {
      const out = blockRelevance(rIn, acts[b], e.blocks[b], heads);
      return [out.input, out.attention];
    });
    attention[b] = rA;
    r = input;
  }
  return { logits, attention, input: r };
}
