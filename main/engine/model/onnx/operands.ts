// Turning an op's operands into what its closure needs at run time: a tensor in a given physical layout (runtime
// tensors re-laid out, constants and weights prepared once), or host numbers (Reshape's shape, Slice's starts, ...).
import { tf } from '../../tf';
import { UserError } from '../../errors';
import { numbers, type HostTensor } from './host-tensor';
import { identity, logicalShape, relayout } from './layout';
import { isHost, type OpContext, type Value } from './op-types';

export type TensorGetter = (args: Array<Value | undefined>) => tf.Tensor;
export type NumbersGetter = (args: Array<Value | undefined>) => number[];

/** A host tensor as a TF.js tensor of its logical shape (float32, or int32 for integers). */
export function hostToTensor(v: HostTensor): tf.Tensor {
  return v.float ? tf.tensor(v.data as Float32Array, v.dims, 'float32') : tf.tensor(numbers(v), v.dims, 'int32');
}

/** Logical rank-extension (leading 1s, numpy broadcasting) and layout of a logical tensor. */
function extendAndLay(t: tf.Tensor, rank: number, perm: readonly number[]): tf.Tensor {
  const lifted = t.rank === rank ? t : tf.reshape(t, [...new Array<number>(rank - t.rank).fill(1), ...t.shape]);
  return relayout(lifted, identity(rank), perm);
}

export function operandRank(ctx: OpContext, i: number): number {
  const o = ctx.operands[i];
  switch (o.kind) {
    case 'tensor': return o.perm.length;
    case 'host': return o.probe.dims.length;
    case 'const':
    case 'weight': return o.value.dims.length;
    case 'none': return 0;
  }
}

/**
 * Operand i as a tensor of rank `rank` (broadcast-extended) in physical layout `perm`. Runtime tensors are re-laid out
 * only if their layout differs; constants once at load; weights once per written value.
 */
export function tensorIn(ctx: OpContext, i: number, rank: number, perm: readonly number[]): TensorGetter {
  const o = ctx.operands[i];
  switch (o.kind) {
    case 'tensor': {
      const own = o.perm;
      if (own.length === rank) return (args) => relayout(args[i] as tf.Tensor, own, perm);
      return (args) => {
        const x = args[i] as tf.Tensor;
        const logical = relayout(x, own, identity(own.length));
        return extendAndLay(tf.reshape(logical, logicalShape(x.shape, own)), rank, perm);
      };
    }
    case 'const': {
      const value = o.value;
      const laid = ctx.hold(tf.tidy(() => extendAndLay(hostToTensor(value), rank, perm)));
      return () => laid;
    }
    case 'weight': {
      const cell = ctx.weight(i, 'raw', (v) => hostToTensor(v));
      const key = `lay:${rank}:${perm.join(',')}`;
      return () => cell.derived(key, (w) => extendAndLay(w, rank, perm));
    }
    case 'host':
      return (args) => extendAndLay(hostToTensor(args[i] as HostTensor), rank, perm);
    case 'none':
      throw new Error(`input ${i} of ${ctx.node.name} is missing`);
  }
}

/** Operand i as host numbers (a shape, axes, starts...): a constant or a host value; data-dependent ones are refused. */
export function numbersIn(ctx: OpContext, i: number, what: string): NumbersGetter {
  const o = ctx.operands[i];
  if (o.kind === 'const' || o.kind === 'weight') {
    const v = numbers(o.value);
    return () => v;
  }
  if (o.kind === 'host') return (args) => numbers(args[i] as HostTensor);
  if (o.kind === 'none') return () => [];
  throw new UserError(`Node "${ctx.node.name}" (${ctx.node.opType}) takes its ${what} from data computed by the network; DIX Workbench supports only shapes known from the input's shape.`,
    'Export the model with static shapes (no data-dependent reshapes).');
}

/** True when operand i is present (not an omitted optional input). */
export function has(ctx: OpContext, i: number): boolean {
  return i < ctx.operands.length && ctx.operands[i].kind !== 'none';
}

/** The runtime tensor of operand i (which must be a runtime tensor) and its layout. */
export function runtimeTensor(ctx: OpContext, i: number): { perm: number[]; shape: number[]; dtype: tf.DataType } {
  const o = ctx.operands[i];
  if (o.kind !== 'tensor') {
    throw new UserError(`Node "${ctx.node.name}" (${ctx.node.opType}) has a constant as input ${i}, which DIX Workbench does not support there.`, 'Export the model again with constant folding on.');
  }
  return o;
}

export { isHost };

/** The number of entries of a 1-D constant or host operand (Reshape's shape: the output rank). */
export function operandLength(ctx: OpContext, i: number): number {
  const o = ctx.operands[i];
  if (o.kind === 'const' || o.kind === 'weight') return o.value.dims[0] ?? 1;
  if (o.kind === 'host') return o.probe.dims[0] ?? 1;
  throw new UserError(`Node "${ctx.node.name}" (${ctx.node.opType}) takes a shape computed from data; DIX Workbench supports only shapes known from the input's shape.`,
    'Export the model with static shapes.');
}
