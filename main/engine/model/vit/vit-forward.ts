// A ViT's forward pass as plain functions of its weight tensors (no tf.tidy inside: they run under tf.grads).
//   tokens = [cls; patches W_p + b_p] + pos
//   block:  x = x + proj(A v),  A = softmax(q k^T / sqrt(d_h)) per head (or a given attention), q|k|v = norm1(x) W_qkv
//           x = x + fc2(gelu(fc1(norm2(x))))
//   logits = head(norm(x)[CLS])
// Only ops with gradients on wasm are used: matMul, reshape, transpose, split, concat, slice (no gather, whose
// gradient wasm lacks).
import { tf } from '../../tf';
import type { DenseWeights, EncoderBlockWeights, EncoderWeights, NormWeights } from '../vision-model';

export interface EmbeddingWeights {
  patch: DenseWeights;
  cls: tf.Tensor;
  pos: tf.Tensor;
}

/** x [..., in] -> [..., out], as a 2-D product (one XNNPACK matrix product on wasm). */
export function dense(x: tf.Tensor, w: DenseWeights): tf.Tensor {
  const shape = x.shape;
  const flat = tf.reshape(x, [-1, shape[shape.length - 1]]);
  let y: tf.Tensor = tf.matMul(flat, w.kernel);
  if (w.bias) y = tf.add(y, w.bias);
  return tf.reshape(y, [...shape.slice(0, -1), w.kernel.shape[1]]);
}

/** LayerNorm over the last axis with the biased variance, as PyTorch's. */
export function layerNorm(x: tf.Tensor, n: NormWeights): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, n.eps))), n.gamma), n.beta);
}

/** GELU: exact (erf), PyTorch's nn.GELU() default, or its tanh approximation. */
export function gelu(x: tf.Tensor, form: 'erf' | 'tanh'): tf.Tensor {
  if (form === 'erf') return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/** [B, H, W, C] -> [B, rows * cols, p * p * C], patches in row-major order, each flattened as (row, column, channel). */
export function patchify(x: tf.Tensor, patch: number): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const rows = h / patch;
  const cols = w / patch;
  const split = tf.reshape(x, [b * rows, patch, cols, patch * c]);
  const grouped = tf.transpose(split, [0, 2, 1, 3]); // [b * rows, cols, patch, patch * c]
  return tf.reshape(grouped, [b, rows * cols, patch * patch * c]);
}

/** The tokens entering block 0: [B, T, D]. */
export function embed(x: tf.Tensor, w: EmbeddingWeights, patch: number): tf.Tensor {
  const patches = dense(patchify(x, patch), w.patch);
  const b = x.shape[0];
  const cls = tf.tile(w.cls, [b, 1, 1]);
  return tf.add(tf.concat([cls, patches], 1), w.pos);
}

/** [B, T, D] -> [B, heads, T, D / heads] */
function splitHeads(t: tf.Tensor, heads: number): tf.Tensor {
  const [b, n, d] = t.shape;
  return tf.transpose(tf.reshape(t, [b, n, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, heads, T, d_h] -> [B, T, heads * d_h] */
function mergeHeads(t: tf.Tensor): tf.Tensor {
  const [b, h, n, dh] = t.shape;
  return tf.reshape(tf.transpose(t, [0, 2, 1, 3]), [b, n, h * dh]);
}

export interface BlockOptions {
  /** The attention to use instead of the computed one, [B, heads, T, T]. */
  replace?: tf.Tensor;
  /** Added to the attention used (gradients w.r.t. it are the attention's). */
  probe?: tf.Tensor;
}

export interface BlockOutput {
  tokens: tf.Tensor;
  /** The attention used, before the probe. */
  attention: tf.Tensor;
}

/** softmax(q k^T / sqrt(d_h)) of norm1(x): [B, heads, T, T], with the per-head q, k, v it came from. */
export function selfAttention(normed: tf.Tensor, qkv: DenseWeights, heads: number): { attention: tf.Tensor; q: tf.Tensor; k: tf.Tensor; v: tf.Tensor } {
  const [q, k, v] = tf.split(dense(normed, qkv), 3, -1).map((t) => splitHeads(t, heads));
  const scale = 1 / Math.sqrt(q.shape[3] as number);
  const attention = tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale));
  return { attention, q, k, v };
}

export function blockForward(x: tf.Tensor, w: EncoderBlockWeights, heads: number, gelu_: 'erf' | 'tanh', o: BlockOptions = {}): BlockOutput {
  const normed = layerNorm(x, w.norm1);
  let attention: tf.Tensor;
  let v: tf.Tensor;
  if (o.replace) {
    // q and k are not needed: only v goes on.
    v = splitHeads(tf.split(dense(normed, w.qkv), 3, -1)[2], heads);
    attention = o.replace;
  } else {
    ({ attention, v } = selfAttention(normed, w.qkv, heads));
  }
  const used = o.probe ? tf.add(attention, o.probe) : attention;
  const mid = tf.add(x, dense(mergeHeads(tf.matMul(used, v)), w.proj));
  const mlp = dense(gelu(dense(layerNorm(mid, w.norm2), w.fc1), gelu_), w.fc2);
  return { tokens: tf.add(mid, mlp), attention };
}

/** Logits [B, K] from the tokens leaving the last block. */
export function headLogits(x: tf.Tensor, e: EncoderWeights): tf.Tensor2D {
  const [b, , d] = x.shape;
  const cls = tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, d]), [b, d]);
  return dense(layerNorm(cls, e.norm), e.head) as tf.Tensor2D;
}
