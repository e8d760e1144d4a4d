// The matrix algebra shared by the ViT methods (docs/methods.md §2.3-2.6), as pure functions over tensors with a leading batch
// axis N (interpolants or images). Per block b, a [N, T, T] matrix Ā_b is made from the attention A_b [N, heads, T, T]
// (and its gradient dA_b), then the blocks are combined:
//   rollout (Abnar & Zuidema; GR):  Â_b = (Ā_b + I) / rowsum(Ā_b + I),  R = Â_B ⋯ Â_2 Â_1 (later blocks on the left)
//   T-Attr (Chefer's ViT_LRP.py):   the same product of Ā_b + I without the row normalization
//   GAE (Chefer ICCV 2021):         R = I, then R <- R + Ā_b R for b = 1..B
// and the map is R's [CLS] row without its first element, on the patch grid.
import { tf } from '../../tf';
import { resizeToInput } from '../map-ops';

/** Ā = mean over heads of A: [N, heads, T, T] -> [N, T, T] (Attention Rollout). */
export function headMean(attention: tf.Tensor): tf.Tensor3D {
  return tf.mean(attention, 1) as tf.Tensor3D;
}

/** Ā = mean over heads of relu(A ⊙ G) (GR, GAE, T-Attr: clamp per head, then average the heads). */
export function positiveHeadMean(a: tf.Tensor, g: tf.Tensor): tf.Tensor3D {
  return tf.mean(tf.relu(tf.mul(a, g)), 1) as tf.Tensor3D;
}

function identityLike(m: tf.Tensor3D): tf.Tensor3D {
  const [n, t] = m.shape;
  return tf.tile(tf.reshape(tf.eye(t), [1, t, t]), [n, 1, 1]) as tf.Tensor3D;
}

export interface RolloutOptions {
  /** Divide each row of Ā_b + I by its sum (rollout, GR); T-Attr does not. */
  normalizeRows: boolean;
  /** Blocks before this one are left out of the product (Chefer's start_layer). */
  startBlock: number;
}

/** R = Â_B ⋯ Â_{s+1} Â_s over the per-block matrices [N, T, T] (index 0 = the first block). */
export function rollout(matrices: tf.Tensor3D[], o: RolloutOptions): tf.Tensor3D {
  if (o.startBlock < 0 || o.startBlock >= matrices.length) throw new Error(`start block ${o.startBlock} is out of range 0..${matrices.length - 1}`);
  let joint: tf.Tensor3D | null = null;
  for (const m of matrices.slice(o.startBlock)) {
    const withSelf = tf.add(m, identityLike(m)) as tf.Tensor3D;
    const hat = o.normalizeRows ? tf.div(withSelf, tf.sum(withSelf, -1, true)) as tf.Tensor3D : withSelf;
    joint = joint ? tf.matMul(hat, joint) : hat;
  }
  return joint!;
}

/** GAE: R = I; for each block in order, R <- R + Ā_b R. */
export function gaeRelevance(matrices: tf.Tensor3D[]): tf.Tensor3D {
  let r = identityLike(matrices[0]);
  for (const m of matrices) r = tf.add(r, tf.matMul(m, r)) as tf.Tensor3D;
  return r;
}

/** R[:, 0, 1:]: how much the [CLS] token draws from each patch, [N, T - 1]. */
export function clsRow(r: tf.Tensor3D): tf.Tensor2D {
  const [n, t] = r.shape;
  return tf.reshape(tf.slice(r, [0, 0, 1], [n, 1, t - 1]), [n, t - 1]) as tf.Tensor2D;
}

/** One patch-token map [1, rows * cols] (or [rows * cols]) on the patch grid, bilinearly resized to H x W. */
export function tokenMapToInput(row: tf.Tensor, grid: [number, number], height: number, width: number): tf.Tensor2D {
  return resizeToInput(tf.reshape(row, [1, grid[0], grid[1], 1]) as tf.Tensor4D, height, width);
}
