// Elementwise ops (activations, arithmetic with numpy broadcasting, comparisons, Where). The output takes the layout
// of the highest-rank runtime input; other inputs are brought into it (constants and weights once, at load or after a
// write), so a [C, 1, 1] scale times a channels-last feature map costs no transpose at run time.
import { tf } from '../../../tf';
import { numbers } from '../host-tensor';
import { alias, identity } from '../layout';
import { has, operandRank, tensorIn } from '../operands';
import { attrFloat, attrInt } from '../onnx-graph';
import type { CompiledOp, OpCompiler, OpContext } from '../op-types';

/** The rank and layout of an elementwise op's output. */
export function broadcastLayout(ctx: OpContext, inputs: number[]): { rank: number; perm: number[] } {
  const rank = Math.max(...inputs.map((i) => operandRank(ctx, i)));
  for (const i of inputs) {
    const o = ctx.operands[i];
    if (o.kind === 'tensor' && o.perm.length === rank) return { rank, perm: o.perm };
  }
  return { rank, perm: identity(rank) };
}

/** An n-ary elementwise op over the present inputs among `inputs`. */
export function elementwise(ctx: OpContext, inputs: number[], f: (xs: tf.Tensor[]) => tf.Tensor): CompiledOp {
  const present = inputs.filter((i) => has(ctx, i));
  const { rank, perm } = broadcastLayout(ctx, present);
  const getters = present.map((i) => tensorIn(ctx, i, rank, perm));
  return { outPerms: [perm], run: (args) => [f(getters.map((g) => g(args)))] };
}

const unary = (f: (x: tf.Tensor, ctx: OpContext) => tf.Tensor): OpCompiler => (ctx) => elementwise(ctx, [0], ([x]) => f(x, ctx));
const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpCompiler => (ctx) => elementwise(ctx, [0, 1], ([a, b]) => f(a, b));
const variadic = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpCompiler =>
  (ctx) => elementwise(ctx, ctx.node.inputs.map((_, i) => i), (xs) => xs.reduce((a, b) => f(a, b)));

function hardSigmoid(x: tf.Tensor, alpha: number, beta: number): tf.Tensor {
  return tf.clipByValue(tf.add(tf.mul(x, alpha), beta), 0, 1);
}

/** A scalar constant input (Clip's bounds, Pow's exponent), or null when it is not a load-time constant. */
function scalarConst(ctx: OpContext, i: number): number | null {
  const o = ctx.operands[i];
  if (!o || (o.kind !== 'const' && o.kind !== 'weight') || o.value.dims.reduce((a, d) => a * d, 1) !== 1) return null;
  return numbers(o.value)[0];
}

const clip: OpCompiler = (ctx) => {
  const lo = has(ctx, 1) ? scalarConst(ctx, 1) : -Infinity;
  const hi = has(ctx, 2) ? scalarConst(ctx, 2) : Infinity;
  if (lo === null || hi === null) {
    return elementwise(ctx, [0, 1, 2], (xs) => {
      let y = xs[0];
      if (has(ctx, 1)) y = tf.maximum(y, xs[1]);
      if (has(ctx, 2)) y = tf.minimum(y, xs[has(ctx, 1) ? 2 : 1]);
      return y;
    });
  }
  if (lo === 0 && hi === 6) return elementwise(ctx, [0], ([x]) => tf.relu6(x));
  if (lo === 0 && hi === Infinity) return elementwise(ctx, [0], ([x]) => tf.relu(x));
  return elementwise(ctx, [0], ([x]) => tf.clipByValue(x, lo, hi));
};

const pow: OpCompiler = (ctx) => {
  const e = scalarConst(ctx, 1);
  if (e === 2) return elementwise(ctx, [0], ([x]) => tf.square(x));
  if (e === 0.5) return elementwise(ctx, [0], ([x]) => tf.sqrt(x));
  if (e === 1) return elementwise(ctx, [0], ([x]) => alias(x));
  return elementwise(ctx, [0, 1], ([a, b]) => tf.pow(a, b));
};

const elu: OpCompiler = (ctx) => {
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  if (alpha === 1) return elementwise(ctx, [0], ([x]) => tf.elu(x));
  // relu(x) + alpha (exp(min(x, 0)) - 1): no comparison on the tape (TF.js has no gradient for Greater).
  return elementwise(ctx, [0], ([x]) => tf.add(tf.relu(x), tf.mul(alpha, tf.sub(tf.exp(tf.neg(tf.relu(tf.neg(x)))), 1))));
};

/** ONNX tensor type -> TF.js dtype (int64 runs as int32; the values are indices and shapes). */
function castType(to: number): tf.DataType {
  if (to === 1 || to === 10 || to === 11 || to === 16) return 'float32';
  if (to === 9) return 'bool';
  return 'int32';
}

const cast: OpCompiler = (ctx) => {
  const dtype = castType(attrInt(ctx.node, 'to', 1));
  return elementwise(ctx, [0], ([x]) => (x.dtype === dtype ? alias(x) : tf.cast(x, dtype)));
};

const where: OpCompiler = (ctx) => elementwise(ctx, [0, 1, 2], ([c, a, b]) => {
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(tf.broadcast_util.assertAndGetBroadcastShape(c.shape, a.shape), b.shape);
  const fit = (t: tf.Tensor) => (t.shape.join() === shape.join() ? t : tf.broadcastTo(t, shape));
  return tf.where(fit(c) as tf.Tensor, fit(a), fit(b));
});

/**
 * Comparisons give booleans, with no gradient function in TF.js: under a tape their result is copied off the tape,
 * so that a Where or Cast after them does not send the backward pass into them (their gradient is zero anyway).
 */
const comparison = (inputs: number[], f: (xs: tf.Tensor[]) => tf.Tensor): OpCompiler => (ctx) => {
  const op = elementwise(ctx, inputs, f);
  return {
    outPerms: op.outPerms,
    run: (args, rt) => {
      const y = op.run(args, rt)[0] as tf.Tensor;
      return [rt.taping ? tf.tensor(y.dataSync(), y.shape, y.dtype) : y];
    },
  };
};

/** ONNX Div: integer division truncates toward zero. */
const div = binary((a, b) => (a.dtype === 'int32' ? tf.cast(tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32')), 'int32') : tf.div(a, b)));

export const ELEMENTWISE_OPS: Record<string, OpCompiler> = {
  Relu: unary((x) => tf.relu(x)),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  Tanh: unary((x) => tf.tanh(x)),
  Exp: unary((x) => tf.exp(x)),
  Log: unary((x) => tf.log(x)),
  Neg: unary((x) => tf.neg(x)),
  Abs: unary((x) => tf.abs(x)),
  Sqrt: unary((x) => tf.sqrt(x)),
  Reciprocal: unary((x) => tf.reciprocal(x)),
  Erf: unary((x) => tf.erf(x)),
  Floor: unary((x) => tf.floor(x)),
  Ceil: unary((x) => tf.ceil(x)),
  Sin: unary((x) => tf.sin(x)),
  Cos: unary((x) => tf.cos(x)),
  Softplus: unary((x) => tf.softplus(x)),
  Softsign: unary((x) => tf.div(x, tf.add(tf.abs(x), 1))),
  Selu: unary((x) => tf.selu(x)),
  Elu: elu,
  LeakyRelu: unary((x, ctx) => tf.leakyRelu(x, attrFloat(ctx.node, 'alpha', 0.01))),
  HardSigmoid: unary((x, ctx) => hardSigmoid(x, attrFloat(ctx.node, 'alpha', 0.2), attrFloat(ctx.node, 'beta', 0.5))),
  HardSwish: unary((x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))),
  Identity: unary((x) => alias(x)),
  // Inference: Dropout passes its input on (its optional mask output is not supported).
  Dropout: unary((x) => alias(x)),
  Cast: cast,
  Clip: clip,
  Add: binary((a, b) => tf.add(a, b)),
  Sub: binary((a, b) => tf.sub(a, b)),
  Mul: binary((a, b) => tf.mul(a, b)),
  Div: div,
  Pow: pow,
  PRelu: binary((x, slope) => tf.add(tf.relu(x), tf.mul(slope, tf.neg(tf.relu(tf.neg(x)))))),
  Equal: comparison([0, 1], ([a, b]) => tf.equal(a, b)),
  Less: comparison([0, 1], ([a, b]) => tf.less(a, b)),
  Greater: comparison([0, 1], ([a, b]) => tf.greater(a, b)),
  Not: comparison([0], ([x]) => tf.logicalNot(x)),
  Where: where,
  Sum: variadic((a, b) => tf.add(a, b)),
  Max: variadic((a, b) => tf.maximum(a, b)),
  Min: variadic((a, b) => tf.minimum(a, b)),
};
