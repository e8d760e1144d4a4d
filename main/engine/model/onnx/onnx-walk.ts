// An ONNX graph as a ModelWalk: every tensor-valued node is a step (shape arithmetic runs inside run()), value ids are
// the ONNX tensor names, tensors are in the executor's physical layout (channels-last for feature maps, which is how
// cut activations are presented too). Conv/Gemm/linear MatMul/BatchNormalization/Add/pools/reshapes are affine with
// the bias a method may probe (batch norm's folded bias), Relu and the other single-input activations elementwise,
// MaxPool max; the rest has no DeepLIFT rule.
import { tf } from '../../tf';
import type { ModelWalk, WalkStep } from '../vision-model';
import type { CompiledGraph, CompiledNode, ParamRecord } from './compile-graph';
import { batchNormScaleShift } from './ops/normalization';
import { isHost, type RunState, type Value } from './op-types';
import { physicalShape, relayout } from './layout';
import { modulePath } from './module-paths';
import { tapeActive } from './execute';

const ELEMENTWISE = new Set(['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign', 'Clip', 'Erf']);
const AFFINE = new Set(['Conv', 'Gemm', 'BatchNormalization', 'Flatten', 'GlobalAveragePool', 'AveragePool', 'Concat', 'Reshape', 'Transpose',
  'Identity', 'Dropout', 'Squeeze', 'Unsqueeze', 'Slice', 'Pad', 'ReduceMean', 'ReduceSum', 'Add', 'Sub', 'Split', 'Gather', 'Cast']);
/** Products that are affine in their input when only one operand is computed at run time. */
const AFFINE_WITH_CONSTANT = new Set(['Mul', 'Div', 'MatMul']);
const MAX = new Set(['MaxPool', 'GlobalMaxPool', 'ReduceMax']);

function ruleOf(cg: CompiledGraph, n: CompiledNode): WalkStep['rule'] {
  const op = n.node.opType;
  const runtime = n.argIds.filter((a) => a >= 0 && cg.values[a].kind === 'tensor').length;
  if (ELEMENTWISE.has(op) && runtime === 1) return 'elementwise';
  if (AFFINE.has(op) || (AFFINE_WITH_CONSTANT.has(op) && runtime === 1)) return 'affine';
  if (MAX.has(op)) return 'max';
  return 'other';
}

/** The additive bias per output channel of a step, when its channels are the physical last axis. */
function biasOf(cg: CompiledGraph, n: CompiledNode, params: ParamRecord[]): (() => tf.Tensor1D | null) {
  const out = cg.values[n.outIds[0]];
  const channelsLast = out.perm.length >= 2 && out.perm[out.perm.length - 1] === (out.perm.length === 4 ? 1 : out.perm.length - 1);
  const mine = params.filter((p) => p.node === n.node);
  const role = (r: string) => mine.find((p) => p.role === r)?.cell;
  if (!channelsLast) return () => null;
  if (n.node.opType === 'BatchNormalization') {
    const [g, b, m, v] = ['weight', 'bias', 'running_mean', 'running_var'].map(role);
    const eps = (n.node.attrs.get('epsilon') as number | undefined) ?? 1e-5;
    return () => tf.tidy(() => batchNormScaleShift(g!.tensor, b!.tensor, m!.tensor, v!.tensor, eps).shift as tf.Tensor1D);
  }
  const bias = role('bias');
  if (!bias || n.node.opType === 'LayerNormalization') return () => null;
  return () => tf.reshape(bias.tensor, [-1]) as tf.Tensor1D;
}

export function onnxWalk(cg: CompiledGraph, valueOfCut: (name: string) => number): ModelWalk {
  const name = (id: number) => cg.values[id].name;
  // Host values and the batch of the run in progress (steps' affine() read them).
  let host = new Map<number, Value>();
  let state: RunState = { batch: cg.probeBatch, taping: false };
  const argsOf = (n: CompiledNode, tensors: tf.Tensor[]) => {
    let k = 0;
    return n.argIds.map((a) => (a < 0 ? undefined : cg.values[a].kind === 'tensor' ? tensors[k++] : host.get(a)));
  };
  const stepOf = new Map<CompiledNode, WalkStep>();
  const steps: WalkStep[] = [];
  const moduleCount = new Map<string, number>();
  for (const n of cg.nodes) if (!n.host) moduleCount.set(modulePath(n.node.name), (moduleCount.get(modulePath(n.node.name)) ?? 0) + 1);
  for (const n of cg.nodes) {
    if (n.host || n.outIds.length !== 1) continue;
    const out = cg.values[n.outIds[0]];
    const rule = ruleOf(cg, n);
    const run = (ins: tf.Tensor[]) => n.run(argsOf(n, ins), state)[0] as tf.Tensor;
    const shape1 = out.shape.map((d, i) => d + out.growth[i] * (1 - cg.probeBatch));
    const path = modulePath(n.node.name);
    const step: WalkStep = {
      name: path && moduleCount.get(path) === 1 ? path : n.node.name.replace(/^\//, ''),
      className: n.node.opType,
      inputs: n.argIds.filter((a) => a >= 0 && cg.values[a].kind === 'tensor').map(name),
      output: out.name,
      outputShape: physicalShape(shape1, out.perm).slice(1),
      rule,
      affine: rule === 'elementwise' ? (ins) => ins[0] : run,
      nonlinearity: rule === 'elementwise' ? (z) => run([z]) : null,
      bias: rule === 'affine' ? biasOf(cg, n, cg.params) : () => null,
    };
    stepOf.set(n, step);
    steps.push(step);
  }
  const inputName = name(cg.inputId);
  return {
    steps,
    input: inputName,
    output: name(cg.outputId),
    valueOf: (cut) => name(cut.position === 0 ? cg.inputId : valueOfCut(cut.name)),
    run(feeds, fetch, hook) {
      const values = new Map<number, Value>();
      let batch = cg.probeBatch;
      for (const [id, t] of feeds) {
        const v = cg.ids.get(id);
        if (v === undefined) throw new Error(`walk: no value ${id}`);
        const rec = cg.values[v];
        values.set(v, relayout(t, rec.present, rec.perm));
        batch = t.shape[0];
      }
      const saved = { host, state };
      host = values;
      state = { batch, taping: tapeActive() };
      try {
        for (const n of cg.nodes) {
          if (n.outIds.every((o) => values.has(o))) continue;
          const ready = n.argIds.every((a, j) => a < 0 || values.has(a) || (n.shapeReader && j === 0));
          if (!ready) continue;
          if (n.host) {
            const outs = n.run(n.argIds.map((a) => (a < 0 ? undefined : values.get(a))), state);
            n.outIds.forEach((o, k) => values.set(o, outs[k]));
            continue;
          }
          const step = stepOf.get(n);
          const tensors = n.argIds.filter((a) => a >= 0 && cg.values[a].kind === 'tensor').map((a) => values.get(a) as tf.Tensor);
          if (!step) {
            const outs = n.run(argsOf(n, tensors), state);
            n.outIds.forEach((o, k) => values.set(o, outs[k]));
            continue;
          }
          const out = hook?.(step, tensors) ?? (step.nonlinearity ? step.nonlinearity(step.affine(tensors)) : step.affine(tensors));
          values.set(n.outIds[0], out);
        }
      } finally {
        host = saved.host;
        state = saved.state;
      }
      const id = cg.ids.get(fetch);
      const v = id === undefined ? undefined : values.get(id);
      if (v === undefined || isHost(v)) throw new Error(`walk: value ${fetch} is not reachable from the feeds`);
      const rec = cg.values[id!];
      return relayout(v, rec.perm, rec.present);
    },
  };
}
