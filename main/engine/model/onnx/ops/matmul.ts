// MatMul and Gemm. A product with a 2-D weight (nn.Linear: Gemm, or MatMul on [B, T, D] / ConvNeXt's [B, H, W, C])
// runs as one 2-D matMul over all leading axes, whatever their physical order, as long as the contracted axis is
// physically last. Products of two runtime tensors (attention) use a batched matMul, folding a pending transpose of
// the last two axes into its transpose flags.
import { tf } from '../../../tf';
import { UserError } from '../../../errors';
import { identity, inverse, relayout } from '../layout';
import { has, hostToTensor, operandRank, tensorIn, type TensorGetter } from '../operands';
import { attrFloat, attrInt } from '../onnx-graph';
import { numbers } from '../host-tensor';
import { transposedMatrix } from '../weight-layout';
import type { CompiledOp, OpCompiler, OpContext, Value } from '../op-types';

/** A layout with logical axis `axis` moved to the physical end (the others keep their order). */
function withAxisLast(perm: readonly number[], axis: number): number[] {
  return [...perm.filter((p) => p !== axis), axis];
}

/** x[..., K] @ W[K, N] with W a weight: reshape to 2-D, one matMul, reshape back. */
function linearMatMul(ctx: OpContext): CompiledOp {
  const a = ctx.operands[0];
  if (a.kind !== 'tensor') throw new Error('linearMatMul on a non-tensor');
  const rank = a.perm.length;
  const perm = inverse(a.perm)[rank - 1] === rank - 1 ? a.perm : withAxisLast(a.perm, rank - 1);
  const w = ctx.weight(1, 'raw', hostToTensor);
  const [k, n] = (ctx.operands[1] as { value: { dims: number[] } }).value.dims;
  ctx.param(w, 'weight', { kind: 'uniform', fanIn: k });
  return {
    outPerms: [perm],
    run: (args) => {
      const x = relayout(args[0] as tf.Tensor, a.perm, perm);
      if (x.rank === 2) return [tf.matMul(x as tf.Tensor2D, w.tensor as tf.Tensor2D)];
      const y = tf.matMul(tf.reshape(x, [-1, k]) as tf.Tensor2D, w.tensor as tf.Tensor2D);
      return [tf.reshape(y, [...x.shape.slice(0, -1), n])];
    },
  };
}

/** An operand for a batched matMul: its tensor in a layout whose last two axes are the logical last two, maybe swapped. */
function batchedOperand(ctx: OpContext, i: number, rank: number): { get: TensorGetter; transposed: boolean } {
  const o = ctx.operands[i];
  if (o.kind === 'tensor' && o.perm.length === rank) {
    const p = o.perm;
    const leadingInOrder = p.slice(0, rank - 2).every((v, j) => v === j);
    if (leadingInOrder && p[rank - 2] === rank - 1 && p[rank - 1] === rank - 2) return { get: (args) => args[i] as tf.Tensor, transposed: true };
  }
  return { get: tensorIn(ctx, i, rank, identity(rank)), transposed: false };
}

/** Above this many matrices a batched product stays one BatchMatMul. */
const MAX_SPLIT = 512;

/**
 * A batched product as one 2-D product per matrix: wasm runs BatchMatMul on XNNPACK only for a batch of one, a
 * batch of attention heads takes a scalar loop about twice as slow as the split products (and transposed operands
 * slower still), so transposes are made explicit once and each [M, K] x [K, N] goes to XNNPACK.
 */
export function batchedProduct(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  const lead = a.shape.slice(0, -2);
  const count = lead.reduce((x, d) => x * d, 1);
  if (a.rank < 3 || lead.join() !== b.shape.slice(0, -2).join() || count > MAX_SPLIT) return tf.matMul(a, b, transposeA, transposeB);
  const swap = (t: tf.Tensor) => tf.transpose(t, [...identity(t.rank - 2), t.rank - 1, t.rank - 2]);
  const A = transposeA ? swap(a) : a;
  const B = transposeB ? swap(b) : b;
  const as = tf.unstack(tf.reshape(A, [count, ...A.shape.slice(-2)]));
  const bs = tf.unstack(tf.reshape(B, [count, ...B.shape.slice(-2)]));
  const out = tf.stack(as.map((m, i) => tf.matMul(m as tf.Tensor2D, bs[i] as tf.Tensor2D)));
  return tf.reshape(out, [...lead, A.shape[A.rank - 2], B.shape[B.rank - 1]]);
}

function batchedMatMul(ctx: OpContext): CompiledOp {
  const rank = Math.max(operandRank(ctx, 0), operandRank(ctx, 1));
  if (rank < 2) throw new UserError(`MatMul node "${ctx.node.name}" multiplies vectors; DIX Workbench supports matrix products only.`, 'Export the model again.');
  const a = batchedOperand(ctx, 0, rank);
  const b = batchedOperand(ctx, 1, rank);
  return { outPerms: [identity(rank)], run: (args) => [batchedProduct(a.get(args), b.get(args), a.transposed, b.transposed)] };
}

export const matMul: OpCompiler = (ctx) => {
  const [a, b] = ctx.operands;
  if (a.kind === 'tensor' && a.perm.length >= 2 && b.kind === 'weight' && b.value.dims.length === 2) return linearMatMul(ctx);
  return batchedMatMul(ctx);
};

/** Gemm: alpha * A' B' + beta * C, A' = A or A^T, B' = B or B^T; B (nn.Linear's weight) is stored as [K, N]. */
export const gemm: OpCompiler = (ctx) => {
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const beta = attrFloat(ctx.node, 'beta', 1);
  const transA = attrInt(ctx.node, 'transA', 0) === 1;
  const transB = attrInt(ctx.node, 'transB', 0) === 1;
  const aIn = tensorIn(ctx, 0, 2, identity(2));
  const bOp = ctx.operands[1];
  let bIn: TensorGetter;
  let k = 0;
  if (bOp.kind === 'weight' && bOp.value.dims.length === 2) {
    const cell = ctx.weight(1, 'kn', (v) => (transB ? transposedMatrix(v) : hostToTensor(v)));
    k = transB ? bOp.value.dims[1] : bOp.value.dims[0];
    ctx.param(cell, 'weight', { kind: 'uniform', fanIn: k });
    bIn = () => cell.tensor;
  } else {
    const raw = tensorIn(ctx, 1, 2, identity(2));
    bIn = transB ? (args) => tf.transpose(raw(args)) : raw;
  }
  let cIn: TensorGetter | null = null;
  let biasVector = false;
  if (has(ctx, 2)) {
    const c = ctx.operands[2];
    if (c.kind === 'weight' && bOp.kind === 'weight') {
      const cell = ctx.weight(2, 'raw', hostToTensor);
      ctx.param(cell, 'bias', { kind: 'uniform', fanIn: k });
      biasVector = c.value.dims.length === 1;
      cIn = () => cell.tensor;
    } else if (c.kind === 'const' && numbers(c.value).every((v) => v === 0)) {
      cIn = null;
    } else {
      cIn = tensorIn(ctx, 2, Math.max(1, operandRank(ctx, 2)), identity(Math.max(1, operandRank(ctx, 2))));
    }
  }
  return {
    outPerms: [identity(2)],
    run: (args: Array<Value | undefined>, rt) => {
      const A = aIn(args) as tf.Tensor2D;
      const B = bIn(args) as tf.Tensor2D;
      if (!rt.taping && alpha === 1 && beta === 1 && (biasVector || !cIn)) {
        return [tf.fused.matMul({ a: A, b: B, transposeA: transA, bias: cIn ? cIn(args) : undefined })];
      }
      let y: tf.Tensor = tf.matMul(A, B, transA, false);
      if (alpha !== 1) y = tf.mul(y, alpha);
      if (cIn) y = tf.add(y, beta === 1 ? cIn(args) : tf.mul(cIn(args), beta));
      return [y];
    },
  };
};

export const MATMUL_OPS: Record<string, OpCompiler> = { MatMul: matMul, Gemm: gemm };
