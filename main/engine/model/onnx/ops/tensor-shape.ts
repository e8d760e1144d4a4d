// Ops that move or select elements of tensors: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand, Concat, Split,
// Slice, Gather, Pad, Tile. Transpose only changes the layout record; Reshape and Flatten first put the data in
// logical order (a channels-last feature map flattened must match PyTorch's NCHW element order). Everything is built
// from ops whose gradients exist on wasm: Gather with constant indices becomes slices (wasm has no UnsortedSegmentSum),
// strided and reversed slices become reshapes and reverses (TF.js has no StridedSlice gradient).
import { tf } from '../../../tf';
import { UserError } from '../../../errors';
import { numbers, size } from '../host-tensor';
import { sliceBounds } from '../host-ops';
import { alias, axisOf, identity, inverse, logicalShape, permAfterTranspose, permWithInserted, permWithout, physicalShape, relayout } from '../layout';
import { has, numbersIn, operandLength, operandRank, runtimeTensor, tensorIn } from '../operands';
import { attrInt, attrInts, attrString } from '../onnx-graph';
import type { OpCompiler } from '../op-types';
import { broadcastLayout } from './elementwise';

/** The logical value of a runtime tensor, in logical order. */
function logicalOf(x: tf.Tensor, perm: readonly number[]): tf.Tensor {
  return relayout(x, perm, identity(perm.length));
}

/** ONNX Reshape's target: 0 copies the input dim (unless allowzero), -1 is inferred. */
export function reshapeTarget(input: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  return out.map((d) => (d === -1 ? size(input) / known : d));
}

const reshape: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const target = numbersIn(ctx, 1, 'target shape');
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  const rank = operandLength(ctx, 1);
  return {
    outPerms: [identity(rank)],
    run: (args) => {
      const t = args[0] as tf.Tensor;
      const shape = reshapeTarget(logicalShape(t.shape, x.perm), target(args), allowZero);
      return [tf.reshape(logicalOf(t, x.perm), shape)];
    },
  };
};

const flatten: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const axis = axisOf(attrInt(ctx.node, 'axis', 1), x.perm.length);
  return {
    outPerms: [identity(2)],
    run: (args) => {
      const t = args[0] as tf.Tensor;
      const shape = logicalShape(t.shape, x.perm);
      return [tf.reshape(logicalOf(t, x.perm), [size(shape.slice(0, axis)), size(shape.slice(axis))])];
    },
  };
};

const transpose: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const q = attrInts(ctx.node, 'perm') ?? identity(x.perm.length).reverse();
  return { outPerms: [permAfterTranspose(x.perm, q)], run: (args) => [alias(args[0] as tf.Tensor)] };
};

const squeeze: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const rank = x.perm.length;
  let axes = (has(ctx, 1) ? numbersIn(ctx, 1, 'axes')([]) : attrInts(ctx.node, 'axes') ?? []).map((a) => axisOf(a, rank));
  // Without axes: the size-1 axes of the load-time probe, the batch axis excepted (the probe runs at batch 1).
  if (axes.length === 0) axes = x.shape.map((d, i) => (d === 1 && i > 0 ? i : -1)).filter((i) => i >= 0);
  const perm = permWithout(x.perm, axes);
  const drop = new Set(axes.map((a) => inverse(x.perm)[a]));
  return { outPerms: [perm], run: (args) => {
    const t = args[0] as tf.Tensor;
    return [tf.reshape(t, t.shape.filter((_, i) => !drop.has(i)))];
  } };
};

const unsqueeze: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const raw = has(ctx, 1) ? numbersIn(ctx, 1, 'axes')([]) : attrInts(ctx.node, 'axes') ?? [];
  const outRank = x.perm.length + raw.length;
  const axes = raw.map((a) => axisOf(a, outRank)).sort((a, b) => a - b);
  const perm = permWithInserted(x.perm, axes, outRank);
  return { outPerms: [perm], run: (args) => {
    const t = args[0] as tf.Tensor;
    const logical = logicalShape(t.shape, x.perm);
    for (const a of axes) logical.splice(a, 0, 1);
    return [tf.reshape(t, physicalShape(logical, perm))];
  } };
};

const expand: OpCompiler = (ctx) => {
  const target = numbersIn(ctx, 1, 'shape');
  const rank = Math.max(operandRank(ctx, 0), operandLength(ctx, 1));
  const { perm } = broadcastLayout(ctx, [0]);
  const lay = perm.length === rank ? perm : identity(rank);
  const input = tensorIn(ctx, 0, rank, lay);
  return { outPerms: [lay], run: (args) => {
    const t = input(args);
    const have = logicalShape(t.shape, lay);
    const want = target(args);
    const out = have.map((d, i) => {
      const w = want[i - (rank - want.length)] ?? 1;
      return d === 1 ? w : d;
    });
    const phys = physicalShape(out, lay);
    return [phys.join() === t.shape.join() ? alias(t) : tf.broadcastTo(t, phys)];
  } };
};

const concat: OpCompiler = (ctx) => {
  const inputs = ctx.node.inputs.map((_, i) => i).filter((i) => has(ctx, i));
  const { rank, perm } = broadcastLayout(ctx, inputs);
  const axis = inverse(perm)[axisOf(attrInt(ctx.node, 'axis', 0), rank)];
  const getters = inputs.map((i) => tensorIn(ctx, i, rank, perm));
  return { outPerms: [perm], run: (args) => {
    const xs = getters.map((g) => g(args)).filter((t) => t.size > 0);
    return [xs.length === 1 ? alias(xs[0]) : tf.concat(xs, axis)];
  } };
};

const split: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const rank = x.perm.length;
  const logicalAxis = axisOf(attrInt(ctx.node, 'axis', 0), rank);
  const axis = inverse(x.perm)[logicalAxis];
  const sizes = has(ctx, 1) ? numbersIn(ctx, 1, 'split sizes') : attrInts(ctx.node, 'split') ? () => attrInts(ctx.node, 'split')! : null;
  const n = ctx.node.outputs.length;
  return { outPerms: ctx.node.outputs.map(() => x.perm), run: (args) => {
    const t = args[0] as tf.Tensor;
    return tf.split(t, sizes ? sizes(args) : n, axis);
  } };
};

/** Elements start, start+step, ... before `end` along one physical axis, any step, from differentiable ops. */
export function stepSlice(x: tf.Tensor, axis: number, start: number, end: number, step: number): tf.Tensor {
  const dim = x.shape[axis];
  if (step < 0) {
    // Reverse the axis and slice forward: index i becomes dim - 1 - i.
    return stepSlice(tf.reverse(x, axis), axis, dim - 1 - start, dim - 1 - end, -step);
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const begin = x.shape.map((_, i) => (i === axis ? start : 0));
  if (step === 1 || n <= 1) return tf.slice(x, begin, x.shape.map((d, i) => (i === axis ? n : d)));
  // Take n * step elements (padded at the end if they run past the axis), fold them into [outer * n, step, inner]
  // (rank 3: wasm slices tensors above rank 4 in a slow generic loop), keep column 0.
  const avail = Math.min(n * step, dim - start);
  let part = tf.slice(x, begin, x.shape.map((d, i) => (i === axis ? avail : d)));
  if (avail < n * step) part = tf.pad(part, x.shape.map((_, i) => (i === axis ? [0, n * step - avail] : [0, 0])) as Array<[number, number]>);
  const outer = x.shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const folded = tf.reshape(part, [outer * n, step, inner]);
  const first = tf.slice(folded, [0, 0, 0], [outer * n, 1, inner]);
  return tf.reshape(first, x.shape.map((d, i) => (i === axis ? n : d)));
}

const slice: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const rank = x.perm.length;
  const starts = numbersIn(ctx, 1, 'starts');
  const ends = numbersIn(ctx, 2, 'ends');
  const axesIn = has(ctx, 3) ? numbersIn(ctx, 3, 'axes') : null;
  const stepsIn = has(ctx, 4) ? numbersIn(ctx, 4, 'steps') : null;
  const inv = inverse(x.perm);
  return { outPerms: [x.perm], run: (args) => {
    let t = args[0] as tf.Tensor;
    const s = starts(args);
    const e = ends(args);
    const axes = axesIn ? axesIn(args).map((a) => axisOf(a, rank)) : s.map((_, i) => i);
    const steps = stepsIn ? stepsIn(args) : s.map(() => 1);
    const begin = t.shape.map(() => 0);
    const sizes = t.shape.slice();
    const strided: Array<[number, number, number, number]> = [];
    axes.forEach((a, i) => {
      const p = inv[a];
      const [b, en] = sliceBounds(s[i], e[i], steps[i], t.shape[p]);
      if (steps[i] === 1) {
        begin[p] = b;
        sizes[p] = Math.max(0, en - b);
      } else {
        strided.push([p, b, en, steps[i]]);
      }
    });
    t = tf.slice(t, begin, sizes);
    // Strided axes after the plain ones (their bounds refer to the untouched axis, which the plain slice kept whole).
    for (const [p, b, en, st] of strided) t = stepSlice(t, p, b, en, st);
    return [t];
  } };
};

/** Gather with load-time indices: slices (differentiable everywhere); runtime indices: tf.gather. */
const gather: OpCompiler = (ctx) => {
  const idx = ctx.operands[1];
  const data = ctx.operands[0];
  if (data.kind === 'tensor' && idx.kind === 'const') {
    const rank = data.perm.length;
    const axis = axisOf(attrInt(ctx.node, 'axis', 0), rank);
    const p = inverse(data.perm)[axis];
    const dim = data.shape[axis];
    const indices = numbers(idx.value).map((i) => (i < 0 ? i + dim : i));
    const take = (t: tf.Tensor, i: number, n: number) => tf.slice(t, t.shape.map((_, k) => (k === p ? i : 0)), t.shape.map((d, k) => (k === p ? n : d)));
    if (idx.value.dims.length === 0) {
      return { outPerms: [permWithout(data.perm, [axis])], run: (args) => {
        const t = args[0] as tf.Tensor;
        return [tf.reshape(take(t, indices[0], 1), t.shape.filter((_, k) => k !== p))];
      } };
    }
    if (idx.value.dims.length === 1) {
      const contiguous = indices.every((v, k) => v === indices[0] + k);
      return { outPerms: [data.perm], run: (args) => {
        const t = args[0] as tf.Tensor;
        return [contiguous ? take(t, indices[0], indices.length) : tf.concat(indices.map((i) => take(t, i, 1)), p)];
      } };
    }
  }
  // General case (runtime indices or an embedding table): tf.gather in logical order. Its gradient needs
  // UnsortedSegmentSum, which wasm lacks, so gradients through it work on the cpu backend only.
  const rank = operandRank(ctx, 0);
  const axis = axisOf(attrInt(ctx.node, 'axis', 0), rank);
  const dataIn = tensorIn(ctx, 0, rank, identity(rank));
  const idxIn = tensorIn(ctx, 1, operandRank(ctx, 1), identity(operandRank(ctx, 1)));
  const outRank = rank - 1 + operandRank(ctx, 1);
  return { outPerms: [identity(outRank)], run: (args) => {
    const d = dataIn(args);
    const i = idxIn(args);
    const wrapped = tf.where(tf.less(i, 0), tf.add(i, d.shape[axis]), i);
    return [tf.gather(d, tf.cast(wrapped, 'int32'), axis)];
  } };
};

/** Reflection padding from slices, reverses and concatenations (TF.js's MirrorPad gradient is wrong). */
export function reflectPad(x: tf.Tensor, paddings: Array<[number, number]>): tf.Tensor {
  let y = x;
  paddings.forEach(([before, after], axis) => {
    if (before === 0 && after === 0) return;
    const n = y.shape[axis];
    const part = (start: number, size: number) => tf.reverse(tf.slice(y, y.shape.map((_, i) => (i === axis ? start : 0)), y.shape.map((d, i) => (i === axis ? size : d))), axis);
    const parts = [...(before > 0 ? [part(1, before)] : []), y, ...(after > 0 ? [part(n - 1 - after, after)] : [])];
    y = tf.concat(parts, axis);
  });
  return y;
}

const pad: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const rank = x.perm.length;
  const mode = attrString(ctx.node, 'mode', 'constant');
  const pads = numbersIn(ctx, 1, 'pads');
  const valueOp = ctx.operands[2];
  const value = valueOp && (valueOp.kind === 'const' || valueOp.kind === 'weight') ? numbers(valueOp.value)[0] ?? 0 : 0;
  if (mode !== 'constant' && mode !== 'reflect') {
    throw new UserError(`Pad node "${ctx.node.name}" uses mode "${mode}"; DIX Workbench supports constant and reflect padding.`, 'Export the model with zero or reflection padding.');
  }
  return { outPerms: [x.perm], run: (args) => {
    const t = args[0] as tf.Tensor;
    const p = pads(args);
    const physical = x.perm.map((l) => [p[l], p[l + rank]] as [number, number]);
    if (physical.every(([a, b]) => a === 0 && b === 0)) return [alias(t)];
    return [mode === 'reflect' ? reflectPad(t, physical) : tf.pad(t, physical, value)];
  } };
};

const tile: OpCompiler = (ctx) => {
  const x = runtimeTensor(ctx, 0);
  const repeats = numbersIn(ctx, 1, 'repeats');
  return { outPerms: [x.perm], run: (args) => {
    const r = repeats(args);
    return [tf.tile(args[0] as tf.Tensor, x.perm.map((l) => r[l]))];
  } };
};

export const TENSOR_SHAPE_OPS: Record<string, OpCompiler> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Pad: pad,
  Tile: tile,
};
