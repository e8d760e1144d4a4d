// Physical layouts of tensor values. Every tensor value has a logical shape (what ONNX says, NCHW for images) and is
// stored as tf.transpose(logical, perm): physical axis i holds logical axis perm[i]. Convolutions and pools store
// NCHW values as NHWC (perm [0, 2, 3, 1]); an ONNX Transpose only changes the perm, so ConvNeXt's permute to
// channels-last and back costs nothing; ops that need a particular order transpose once, at that op.
import { tf } from '../../tf';

/** NCHW values stored channels-last. */
export const NHWC = [0, 2, 3, 1];

export const identity = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);

export function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

export function samePerm(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** inverse[j] = the physical axis that holds logical axis j. */
export function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

/** The physical shape of a logical shape. */
export function physicalShape(logical: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => logical[p]);
}

/** The logical shape of a physical shape. */
export function logicalShape(physical: readonly number[], perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, i) => { out[p] = physical[i]; });
  return out;
}

/** The tf.transpose permutation taking physical layout `from` to physical layout `to` (same logical rank). */
export function transposeBetween(from: readonly number[], to: readonly number[]): number[] {
  const inv = inverse(from);
  return to.map((logical) => inv[logical]);
}

/** The perm after an ONNX Transpose(perm = q) of a value stored with `perm`: the data stays, the logical axes move. */
export function permAfterTranspose(perm: readonly number[], q: readonly number[]): number[] {
  const qinv = inverse(q);
  return perm.map((p) => qinv[p]);
}

/** The perm after removing logical axes (a reduction without keepdims, Squeeze, Gather of a scalar). */
export function permWithout(perm: readonly number[], removed: readonly number[]): number[] {
  const gone = new Set(removed);
  return perm.filter((p) => !gone.has(p)).map((p) => p - removed.filter((r) => r < p).length);
}

/**
 * The perm after inserting logical axes of size 1 at the (output) positions `axes` (Unsqueeze): each new axis goes
 * physically right after the axis that precedes it logically. Size-1 axes can move later by a free reshape.
 */
export function permWithInserted(perm: readonly number[], axes: readonly number[], outRank: number): number[] {
  const inserted = new Set(axes);
  const oldToNew: number[] = [];
  for (let j = 0; j < outRank; j++) if (!inserted.has(j)) oldToNew.push(j);
  const out = perm.map((p) => oldToNew[p]);
  for (const a of [...axes].sort((x, y) => x - y)) {
    // after the physical position of logical axis a-1 (or at the front for a = 0)
    const at = a === 0 ? 0 : out.indexOf(a - 1) + 1;
    out.splice(at, 0, a);
  }
  return out;
}

/**
 * Re-lays a tensor from physical layout `from` to `to`. A move of size-1 axes only is a reshape, which shares the
 * data; anything else is one transpose.
 */
export function relayout(x: tf.Tensor, from: readonly number[], to: readonly number[]): tf.Tensor {
  if (samePerm(from, to)) return x;
  const t = transposeBetween(from, to);
  const shape = x.shape;
  const moved = t.filter((a) => shape[a] !== 1);
  if (moved.every((a, i) => i === 0 || a > moved[i - 1])) return tf.reshape(x, t.map((a) => shape[a]));
  return tf.transpose(x, t);
}

/** Normalizes a possibly negative axis. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** A new handle on the same data (a reshape to its own shape shares the buffer on every backend; clone copies on
 *  stock wasm). Every runtime value owns its handle, so values can be freed independently. */
export function alias(x: tf.Tensor): tf.Tensor {
  return tf.reshape(x, x.shape);
}
