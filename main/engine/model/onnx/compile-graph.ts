// Compiles an ONNX graph into closures over TF.js ops, once, at load. Nodes are compiled in topological order while
// a probe input runs through them (compile while probing): each node's compiler sees the layouts and logical shapes of
// its inputs, every value's shape is recorded, shape arithmetic on constants is folded, and anything the executor
// cannot do fails here, at load, with the node named, never later in a job.
import { tf } from '../../tf';
import { isUserError, UserError } from '../../errors';
import type { HostTensor } from './host-tensor';
import { numbers, size } from './host-tensor';
import { runHostOp, shapeValue, HOST_OPS } from './host-ops';
import { logicalShape, NHWC } from './layout';
import { modulePath } from './module-paths';
import { attrInt, attrInts, type OnnxGraph, type OnnxNode } from './onnx-graph';
import { outputMeanings, presentationOrder } from './presentation';
import { isHost, type CompiledOp, type Operand, type OpContext, type ParamUse, type RunFn, type Value, type WeightInit } from './op-types';
import { hostToTensor } from './operands';
import { SHAPE_READERS, SUPPORTED_OPS, TENSOR_OPS } from './ops/registry';
import { WeightStore, type WeightCell } from './weight-store';

export interface ValueRecord {
  name: string;
  kind: 'tensor' | 'host';
  /** Physical layout of a tensor value ([] for host values). */
  perm: number[];
  /** Logical shape in the probe run (batch = probeBatch). */
  shape: number[];
  /** Per logical axis, the growth of the dim per extra batch item (0 for fixed dims; set by the second probe). */
  growth: number[];
  /** 4-D values: what each logical axis is (0 = N, 1 = C, 2 = H, 3 = W); null otherwise. */
  meanings: number[] | null;
  /** The layout the value is shown in outside the executor (logical axes in presented order; see presentation.ts). */
  present: number[];
  /** Node index of the producer; -1 for the graph input. */
  producer: number;
  /** Node indices of the consumers (a node using it twice appears twice). */
  consumers: number[];
}

export interface CompiledNode {
  index: number;
  node: OnnxNode;
  /** Outputs host values (shape arithmetic). */
  host: boolean;
  /** Reads only the shape of its tensor input (Shape, Size): not a data edge. */
  shapeReader: boolean;
  /** Value id per input; -1 for constants, weights and omitted inputs. */
  argIds: number[];
  outIds: number[];
  run: RunFn;
  fused?: CompiledOp['fused'];
  /** This node is Relu or Clip(0, 6): a candidate to fuse into the Conv before it. */
  activation: 'relu' | 'relu6' | null;
}

export interface CompiledGraph {
  graph: OnnxGraph;
  values: ValueRecord[];
  ids: Map<string, number>;
  nodes: CompiledNode[];
  inputId: number;
  outputId: number;
  probeBatch: number;
  store: WeightStore;
  held: tf.Tensor[];
  params: ParamRecord[];
}

export interface ParamRecord extends ParamUse {
  className: string;
}

function unsupportedOps(graph: OnnxGraph): void {
  const bad = graph.nodes.filter((n) => n.domain !== '' || !(n.opType in TENSOR_OPS || n.opType in HOST_OPS || SHAPE_READERS.has(n.opType)));
  if (bad.length === 0) return;
  const first = bad[0];
  const types = [...new Set(bad.map((n) => (n.domain ? `${n.domain}.${n.opType}` : n.opType)))];
  throw new UserError(`The model uses ONNX op${types.length > 1 ? 's' : ''} ${types.join(', ')}, which DIX Workbench does not support (first at node "${first.name}"${bad.length > 1 ? `, ${bad.length} nodes in all` : ''}).`,
    `Supported ops (opsets 13-17): ${SUPPORTED_OPS.join(', ')}. Export a model built from these, or replace the module that produces ${first.opType}.`);
}

/** A load error from inside an op (a shape TF.js refuses, a kernel missing) named by its node. */
function nodeError(node: OnnxNode, e: unknown): UserError {
  if (isUserError(e)) return e;
  return new UserError(`Node "${node.name}" (${node.opType}) cannot be run: ${(e as Error).message}`,
    'The model may use a form of this op that DIX Workbench does not support; export it again with opset 17 and static input size.');
}

/** Host ops may take small float initializers too (a 0.5 in shape arithmetic). */
const SMALL = 64;

export function compileGraph(graph: OnnxGraph, inputShape: number[], probe: tf.Tensor): CompiledGraph {
  unsupportedOps(graph);
  const store = new WeightStore();
  const held: tf.Tensor[] = [];
  const params: ParamRecord[] = [];
  const values: ValueRecord[] = [];
  const ids = new Map<string, number>();
  const folded = new Map<string, HostTensor>();
  const probeBatch = inputShape[0];
  const normModules = new Set(graph.nodes.filter((n) => n.opType === 'ReduceMean').map((n) => modulePath(n.name)));

  // Uses of each value name in the graph; the probe frees a tensor after its last use.
  const usesOf = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) usesOf.set(i, (usesOf.get(i) ?? 0) + 1);
  usesOf.set(graph.output.name, (usesOf.get(graph.output.name) ?? 0) + 1);
  const left = new Map<number, number>();
  const slots = new Map<number, Value>();
  const release = (id: number) => {
    const n = (left.get(id) ?? 0) - 1;
    left.set(id, n);
    const v = slots.get(id);
    if (n <= 0 && v && !isHost(v) && v !== probe) {
      v.dispose();
      slots.delete(id);
    }
  };
  const addValue = (v: Omit<ValueRecord, 'consumers' | 'growth' | 'present'>, value: Value) => {
    const id = values.length;
    ids.set(v.name, id);
    values.push({ ...v, growth: v.shape.map(() => 0), consumers: [], present: presentationOrder(v.shape.length, v.meanings) });
    left.set(id, usesOf.get(v.name) ?? 0);
    slots.set(id, value);
    if (!usesOf.has(v.name)) release(id);
    return id;
  };
  const inputId = addValue({ name: graph.input.name, kind: 'tensor', perm: NHWC, shape: inputShape, meanings: [0, 1, 2, 3], producer: -1 }, probe);

  const nodes: CompiledNode[] = [];
  const cleanUp = () => {
    for (const v of slots.values()) if (!isHost(v) && v !== probe) v.dispose();
    store.dispose();
    for (const t of held) t.dispose();
  };
  for (const node of graph.nodes) {
    const operands = node.inputs.map((name) => operandOf(node, name));
    // A node that passes its input on unchanged is no node: its output is another name of its input.
    if (isNoop(node, operands)) {
      const id = ids.get(node.inputs[0])!;
      ids.set(node.outputs[0], id);
      left.set(id, (left.get(id) ?? 0) + (usesOf.get(node.outputs[0]) ?? 0) - 1);
      continue;
    }
    try {
      tf.tidy(() => compileNode(node, operands));
    } catch (e) {
      cleanUp();
      throw nodeError(node, e);
    }
  }

  const outputId = ids.get(graph.output.name);
  const out = outputId === undefined ? undefined : slots.get(outputId);
  if (out && !isHost(out)) out.dispose();
  if (outputId === undefined || values[outputId].kind !== 'tensor') {
    cleanUp();
    throw new UserError(`The model's output "${graph.output.name}" is not computed from its input.`, 'Export a classifier whose logits depend on the image.');
  }
  return { graph, values, ids, nodes, inputId, outputId, probeBatch, store, held, params };

  function operandOf(node: OnnxNode, name: string): Operand {
    if (!name) return { kind: 'none' };
    const f = folded.get(name);
    if (f) return { kind: 'const', value: f };
    const init = graph.initializers.get(name);
    if (init) return graph.constants.has(name) || !init.float ? { kind: 'const', value: init } : { kind: 'weight', name, value: init };
    const id = ids.get(name);
    if (id === undefined) throw new UserError(`Node "${node.name}" reads "${name}", which no node produces.`, 'The ONNX file is damaged; export it again.');
    const rec = values[id];
    if (rec.kind === 'host') return { kind: 'host', probe: slots.get(id) as HostTensor };
    return { kind: 'tensor', perm: rec.perm, shape: rec.shape, dtype: (slots.get(id) as tf.Tensor).dtype };
  }

  /** Shape/Size: the tensor's shape if it was computed in this run, else its recorded shape at this batch size. */
  function shapeReaderOp(node: OnnxNode, operands: Operand[]): CompiledOp {
    const o = operands[0];
    const id = ids.get(node.inputs[0]);
    const rec = id === undefined ? null : values[id];
    const shapeOf = (arg: Value | undefined, batch: number): number[] => {
      if (o.kind === 'const' || o.kind === 'weight') return o.value.dims;
      if (isHost(arg)) return arg.dims;
      if (arg) return logicalShape(arg.shape, rec!.perm);
      return rec!.shape.map((d, k) => d + rec!.growth[k] * (batch - probeBatch));
    };
    return {
      outPerms: [null],
      run: (args, rt) => {
        const shape = shapeOf(args[0], rt.batch);
        return [node.opType === 'Size' ? { dims: [], float: false, data: [size(shape)] } : shapeValue(node, shape)];
      },
    };
  }

  function compileNode(node: OnnxNode, operands: Operand[]): void {
    const shapeReader = SHAPE_READERS.has(node.opType);
    const hostable = node.opType in HOST_OPS && operands.every((o) => o.kind === 'const' || o.kind === 'host' || o.kind === 'none'
      || (o.kind === 'weight' && size(o.value.dims) <= SMALL));
    let compiled: CompiledOp;
    if (shapeReader) {
      compiled = shapeReaderOp(node, operands);
    } else if (hostable) {
      const hostValue = (o: Operand, arg: Value | undefined): HostTensor | undefined =>
        (o.kind === 'const' || o.kind === 'weight' ? o.value : (arg as HostTensor | undefined));
      compiled = { outPerms: node.outputs.map(() => null), run: (args) => runHostOp(node, operands.map((o, j) => hostValue(o, args[j]))) };
      if (operands.every((o) => o.kind !== 'host')) {
        // Constant folding: the value is the same in every run.
        const outs = compiled.run([], { batch: probeBatch, taping: false });
        node.outputs.forEach((name, k) => folded.set(name, outs[k] as HostTensor));
        return;
      }
    } else {
      const compiler = TENSOR_OPS[node.opType];
      if (!compiler) {
        throw new UserError(`Node "${node.name}" applies ${node.opType} to tensor data; DIX Workbench supports ${node.opType} on shape values only.`,
          `Supported ops (opsets 13-17): ${SUPPORTED_OPS.join(', ')}.`);
      }
      const ctx = contextFor(node, operands);
      compiled = compiler(ctx);
      registerPatternParams(node, operands, ctx);
    }
    // Outputs beyond what the op implements (Dropout's mask, MaxPool's indices) must not be used.
    node.outputs.forEach((name, k) => {
      if (name && k >= compiled.outPerms.length && usesOf.has(name)) {
        throw new UserError(`Node "${node.name}" (${node.opType}) output ${k} is used, which DIX Workbench does not support.`, 'Export the model for inference (model.eval()).');
      }
    });
    const argIds = node.inputs.map((name, j) => (operands[j].kind === 'tensor' || operands[j].kind === 'host' ? ids.get(name)! : -1));
    const outs = compiled.run(argIds.map((id) => (id >= 0 ? slots.get(id) : undefined)), { batch: probeBatch, taping: false });
    const index = nodes.length;
    const firstIn = argIds.find((id) => id >= 0 && values[id].kind === 'tensor' && values[id].shape.length === 4);
    const inMeanings = firstIn === undefined ? null : values[firstIn].meanings;
    const outIds: number[] = [];
    node.outputs.forEach((name, k) => {
      if (!name || k >= outs.length) return;
      const v = outs[k];
      const perm = compiled.outPerms[k];
      if (isHost(v) || perm === null) {
        outIds.push(addValue({ name, kind: 'host', perm: [], shape: isHost(v) ? v.dims : [], meanings: null, producer: index }, v));
        return;
      }
      tf.keep(v);
      const shape = logicalShape(v.shape, perm);
      const meanings = shape.length === 4 ? outputMeanings(node.opType, inMeanings, attrInts(node, 'perm')) : null;
      outIds.push(addValue({ name, kind: 'tensor', perm, shape, meanings, producer: index }, v));
    });
    argIds.forEach((id) => { if (id >= 0) values[id].consumers.push(index); });
    nodes.push({ index, node, host: shapeReader || hostable, shapeReader, argIds, outIds, run: compiled.run, fused: compiled.fused, activation: activationOf(node, operands) });
    argIds.forEach((id) => { if (id >= 0) release(id); });
  }

  function contextFor(node: OnnxNode, operands: Operand[]): OpContext {
    const cells = new Map<string, WeightCell>();
    return {
      node,
      opset: graph.opset,
      operands,
      weight(i, layout, convert) {
        const key = `${i}|${layout}`;
        let cell = cells.get(key);
        if (!cell) {
          const o = operands[i];
          if (o.kind !== 'weight') throw new UserError(`Node "${node.name}" (${node.opType}) needs a constant weight as input ${i}.`, 'Export the model with its weights as initializers.');
          cell = store.cell(o.name, layout, () => convert(o.value));
          cells.set(key, cell);
        }
        return cell;
      },
      param(cell, role, init, isStatistic = false) {
        params.push({ cell, node, role, init, isStatistic, className: node.opType });
      },
      hold(t) {
        held.push(tf.keep(t));
        return t;
      },
    };
  }

  /** Parameters that only a pattern reveals: a MatMul's bias (an Add after it), decomposed LayerNorm's affine. */
  function registerPatternParams(n: OnnxNode, ops: Operand[], ctx: OpContext): void {
    if (n.opType !== 'Add' && n.opType !== 'Mul') return;
    const w = ops.findIndex((o) => o.kind === 'weight' && o.value.dims.length === 1);
    const t = ops.findIndex((o) => o.kind === 'tensor');
    if (w < 0 || t < 0) return;
    const weight = ops[w] as Extract<Operand, { kind: 'weight' }>;
    // The same cell the op reads (memoized per node, input and layout).
    const cell = ctx.weight(w, 'raw', hostToTensor);
    const producer = values[ids.get(n.inputs[t])!].producer;
    const prev = producer >= 0 ? nodes[producer]?.node : undefined;
    const prevOps = prev ? prev.inputs.map((name) => graph.initializers.get(name)) : [];
    if (n.opType === 'Add' && prev?.opType === 'MatMul' && prevOps[1]?.float && prevOps[1].dims.length === 2 && prevOps[1].dims[1] === weight.value.dims[0]) {
      params.push({ cell, node: n, role: 'bias', init: { kind: 'uniform', fanIn: prevOps[1].dims[0] }, isStatistic: false, className: 'MatMul' });
      return;
    }
    if (normModules.has(modulePath(n.name))) {
      const init: WeightInit = n.opType === 'Mul' ? { kind: 'ones' } : { kind: 'zeros' };
      params.push({ cell, node: n, role: n.opType === 'Mul' ? 'weight' : 'bias', init, isStatistic: false, className: 'LayerNormalization' });
    }
  }
}

/** Nodes that hand their tensor input on unchanged: Identity, Dropout at inference, zero Pad, one-input Concat, Cast to float of a float. */
function isNoop(node: OnnxNode, operands: Operand[]): boolean {
  const x = operands[0];
  if (!x || x.kind !== 'tensor' || node.outputs.filter(Boolean).length !== 1) return false;
  switch (node.opType) {
    case 'Identity':
    case 'Dropout':
      return true;
    case 'Pad': {
      const p = operands[1];
      return (p?.kind === 'const' || p?.kind === 'weight') && numbers(p.value).every((v) => v === 0);
    }
    case 'Concat':
      return operands.filter((o) => o.kind !== 'none').length === 1;
    case 'Cast':
      return x.dtype === 'float32' && [1, 10, 11, 16].includes(attrInt(node, 'to', 0));
    default:
      return false;
  }
}

/** Relu, or Clip to [0, 6] / [0, inf), as a fusable activation. */
function activationOf(node: OnnxNode, operands: Operand[]): 'relu' | 'relu6' | null {
  if (node.opType === 'Relu') return 'relu';
  if (node.opType !== 'Clip') return null;
  const bound = (i: number) => {
    const o = operands[i];
    if (!o || o.kind === 'none') return i === 1 ? -Infinity : Infinity;
    return o.kind === 'const' || o.kind === 'weight' ? numbers(o.value)[0] : NaN;
  };
  if (bound(1) === 0 && bound(2) === 6) return 'relu6';
  if (bound(1) === 0 && bound(2) === Infinity) return 'relu';
  return null;
}
