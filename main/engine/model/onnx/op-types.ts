// What an op implementation sees when it is compiled (its operands: runtime tensors with their layout, host values,
// constants, weights) and what it returns (a closure over physical tensors, and the layout of each output).
import type { tf } from '../../tf';
import type { HostTensor } from './host-tensor';
import type { OnnxNode } from './onnx-graph';
import type { WeightCell } from './weight-store';

/** A value at run time: a TF.js tensor (physical layout) or a host array (shape arithmetic). */
export type Value = tf.Tensor | HostTensor;

export function isHost(v: Value | undefined): v is HostTensor {
  return v !== undefined && Array.isArray((v as HostTensor).dims);
}

export type Operand =
  /** A tensor computed at run time; `shape` is its logical shape in the load-time probe run (batch 1). */
  | { kind: 'tensor'; perm: number[]; shape: number[]; dtype: tf.DataType }
  /** A host value computed at run time (it may depend on the batch size); `probe` is its value in the probe run. */
  | { kind: 'host'; probe: HostTensor }
  /** A value known at load: a Constant node, an integer initializer, or a folded host computation. */
  | { kind: 'const'; value: HostTensor }
  /** A float initializer: a weight of the model, replaceable by the randomization tests. */
  | { kind: 'weight'; name: string; value: HostTensor }
  /** An omitted optional input. */
  | { kind: 'none' };

export interface RunState {
  /** The batch size of this run (host Shape values are answered with it where the tensor was not computed). */
  batch: number;
  /** True under a gradient tape: fused kernels (whose gradients TF.js computes for every input) are avoided. */
  taping: boolean;
}

/** args[i] is the run-time value of input i, or undefined for constants, weights and omitted inputs. */
export type RunFn = (args: Array<Value | undefined>, rt: RunState) => Value[];

export interface CompiledOp {
  /** The physical layout of each output (null: a host output). */
  outPerms: Array<number[] | null>;
  run: RunFn;
  /** A run with an elementwise activation fused in (Conv + Relu / Clip(0, 6)), for forward passes without a tape. */
  fused?: (activation: 'relu' | 'relu6') => RunFn;
}

/** How a weight of a parameterized module is re-initialized (PyTorch's default for its op). */
export type WeightInit = { kind: 'uniform'; fanIn: number } | { kind: 'ones' } | { kind: 'zeros' };

export interface ParamUse {
  cell: WeightCell;
  node: OnnxNode;
  /** PyTorch's name for it within its module: weight, bias, running_mean, running_var. */
  role: string;
  init: WeightInit;
  isStatistic: boolean;
}

export interface OpContext {
  node: OnnxNode;
  opset: number;
  operands: Operand[];
  /** A weight cell for input i (a float initializer), converted once by `convert` into `layout`. */
  weight(i: number, layout: string, convert: (value: HostTensor) => tf.Tensor): WeightCell;
  /** Registers a weight as a parameter of the node's module (what randomization tests re-initialize). */
  param(cell: WeightCell, role: string, init: WeightInit, isStatistic?: boolean): void;
  /** Keeps a load-time tensor for the model's lifetime (freed with the model). */
  hold<T extends tf.Tensor>(t: T): T;
}

export type OpCompiler = (ctx: OpContext) => CompiledOp;
