// The pieces of a pre-norm encoder block as torch.onnx.export writes them, matched on the compiled graph from a value
// (the tokens they read) to the weight cells they use: LayerNorm (opset 17's LayerNormalization, or the
// ReduceMean/Sub/Pow/ReduceMean/Add(eps)/Sqrt/Div/Mul(gamma)/Add(beta) chain of older opsets), Linear (MatMul with a
// [in, out] weight and a bias Add, or Gemm), and the elementwise activation between two Linears (checked to be GELU
// by evaluating it on sample points, so any order of its Div/Erf/Add/Mul or tanh-form ops is recognised). Weights
// are the cells the executor reads (so a randomization test's writes are seen); a piece that does not match throws
// NoMatch with what was expected and what was found, which onnx-encoder-weights.ts turns into a refusal.
import type { CompiledGraph, CompiledNode } from './compile-graph';
import { numbers, size, type HostTensor } from './host-tensor';
import { attrFloat, attrInt, attrInts, attrString } from './onnx-graph';
import type { WeightCell } from './weight-store';

export class NoMatch extends Error {}

export interface NormCells { gamma: WeightCell; beta: WeightCell; eps: number }
export interface DenseCells { kernel: WeightCell; bias: WeightCell | null }

/** Ops that move or regroup tokens without touching the feature axis (checked by its size). */
const LAYOUT_OPS = new Set(['Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);

const lastDim = (cg: CompiledGraph, id: number) => cg.values[id].shape[cg.values[id].shape.length - 1];

export function readers(cg: CompiledGraph, id: number): CompiledNode[] {
  return cg.values[id].consumers.map((c) => cg.nodes[c]).filter((n) => !n.shapeReader);
}

/** What reads `id`, as op types, for messages. */
export function readerOps(cg: CompiledGraph, id: number): string {
  const ops = [...new Set(readers(cg, id).map((n) => n.node.opType))];
  return ops.length ? ops.join(', ') : 'nothing';
}

/** The values `id` reaches through layout ops that keep its feature axis (itself included). */
export function forwardThroughLayout(cg: CompiledGraph, id: number): number[] {
  const out = [id];
  for (let i = 0; i < out.length; i++) {
    for (const n of readers(cg, out[i])) {
      const o = n.outIds[0];
      if (LAYOUT_OPS.has(n.node.opType) && n.argIds[0] === out[i] && lastDim(cg, o) === lastDim(cg, id) && !out.includes(o)) out.push(o);
    }
  }
  return out;
}

/** The value `id` comes from through layout ops that keep its feature axis (or any layout ops: merging heads). */
export function backThroughLayout(cg: CompiledGraph, id: number, keepFeatures = true): number {
  let v = id;
  for (;;) {
    const p = cg.values[v].producer;
    const n = p >= 0 ? cg.nodes[p] : null;
    if (!n || !LAYOUT_OPS.has(n.node.opType) || n.argIds[0] < 0 || (keepFeatures && lastDim(cg, n.argIds[0]) !== lastDim(cg, v))) return v;
    v = n.argIds[0];
  }
}

/** A constant input of a node (a Constant node or an integer initializer), or null. */
function constantIn(cg: CompiledGraph, n: CompiledNode, j: number): HostTensor | null {
  if (n.argIds[j] >= 0) return null;
  return cg.graph.initializers.get(n.node.inputs[j] ?? '') ?? null;
}

function scalarIn(cg: CompiledGraph, n: CompiledNode, j: number): number | null {
  const c = constantIn(cg, n, j);
  return c && size(c.dims) === 1 ? numbers(c)[0] : null;
}

/** The cell the executor reads for weight input j of node n (registered as a parameter at load). */
function cellOf(cg: CompiledGraph, n: CompiledNode, j: number): WeightCell | null {
  const name = n.node.inputs[j];
  return cg.params.find((p) => p.node === n.node && p.cell.initializer === name)?.cell ?? null;
}

/** Node n's input j as a weight cell of `dims`, or NoMatch. */
function weightIn(cg: CompiledGraph, n: CompiledNode, j: number, dims: number[], what: string): WeightCell {
  const cell = n.argIds[j] < 0 ? cellOf(cg, n, j) : null;
  if (!cell) throw new NoMatch(`${what} of "${n.node.name}" is not a weight of the model`);
  if (cell.tensor.shape.join() !== dims.join()) throw new NoMatch(`${what} of "${n.node.name}" has shape [${cell.tensor.shape}], not [${dims}]`);
  return cell;
}

/** The index of the weight input (1-D) of an Add or Mul that reads tensor `id`, or -1. */
function vectorWeightIndex(cg: CompiledGraph, n: CompiledNode, id: number): number {
  const t = n.argIds.indexOf(id);
  if (t < 0 || n.argIds.length !== 2) return -1;
  const j = 1 - t;
  const init = n.argIds[j] < 0 ? cg.graph.initializers.get(n.node.inputs[j]) : undefined;
  return init && init.float && init.dims.length === 1 && !cg.graph.constants.has(n.node.inputs[j]) ? j : -1;
}

function readerOf(cg: CompiledGraph, id: number, op: string, test: (n: CompiledNode) => boolean = () => true): CompiledNode | null {
  return readers(cg, id).find((n) => n.node.opType === op && test(n)) ?? null;
}

const lastAxis = (n: CompiledNode, rank: number) => {
  const axes = attrInts(n.node, 'axes');
  return axes !== null && axes.length === 1 && (axes[0] === -1 || axes[0] === rank - 1) && attrInt(n.node, 'keepdims', 1) === 1;
};

/** LayerNorm over the last axis reading `x`: its weights and output value. */
export function layerNormFrom(cg: CompiledGraph, x: number, what: string): { norm: NormCells; out: number } {
  const d = lastDim(cg, x);
  const rank = cg.values[x].shape.length;
  const fused = readerOf(cg, x, 'LayerNormalization', (n) => n.argIds[0] === x);
  if (fused) {
    const axis = attrInt(fused.node, 'axis', -1);
    if (axis !== -1 && axis !== rank - 1) throw new NoMatch(`${what}: LayerNormalization "${fused.node.name}" normalizes from axis ${axis}, not over the last axis only`);
    if (fused.node.inputs.length < 3 || !fused.node.inputs[2]) throw new NoMatch(`${what}: LayerNormalization "${fused.node.name}" has no bias`);
    return {
      norm: { gamma: weightIn(cg, fused, 1, [d], `${what}'s scale`), beta: weightIn(cg, fused, 2, [d], `${what}'s bias`), eps: attrFloat(fused.node, 'epsilon', 1e-5) },
      out: fused.outIds[0],
    };
  }
  const expected = `${what}: no LayerNorm reads its input (expected LayerNormalization, or ReduceMean, Sub, Pow, ReduceMean, Add(eps), Sqrt, Div, Mul(weight), Add(bias)); it is read by ${readerOps(cg, x)}`;
  const step = <T>(v: T | null | undefined): T => {
    if (v === null || v === undefined) throw new NoMatch(expected);
    return v;
  };
  const mean = step(readerOf(cg, x, 'ReduceMean', (n) => lastAxis(n, rank)));
  const centred = step(readerOf(cg, x, 'Sub', (n) => n.argIds[0] === x && n.argIds[1] === mean.outIds[0])).outIds[0];
  const square = step(readerOf(cg, centred, 'Pow', (n) => scalarIn(cg, n, 1) === 2) ?? readerOf(cg, centred, 'Mul', (n) => n.argIds[0] === centred && n.argIds[1] === centred));
  const variance = step(readerOf(cg, square.outIds[0], 'ReduceMean', (n) => lastAxis(n, rank)));
  const plusEps = step(readerOf(cg, variance.outIds[0], 'Add', (n) => scalarIn(cg, n, 1 - n.argIds.indexOf(variance.outIds[0])) !== null));
  const eps = scalarIn(cg, plusEps, 1 - plusEps.argIds.indexOf(variance.outIds[0]))!;
  const root = step(readerOf(cg, plusEps.outIds[0], 'Sqrt'));
  const normed = step(readerOf(cg, centred, 'Div', (n) => n.argIds[0] === centred && n.argIds[1] === root.outIds[0])).outIds[0];
  const scale = step(readerOf(cg, normed, 'Mul', (n) => vectorWeightIndex(cg, n, normed) >= 0));
  const scaled = scale.outIds[0];
  const shift = step(readerOf(cg, scaled, 'Add', (n) => vectorWeightIndex(cg, n, scaled) >= 0));
  return {
    norm: {
      gamma: weightIn(cg, scale, vectorWeightIndex(cg, scale, normed), [d], `${what}'s scale`),
      beta: weightIn(cg, shift, vectorWeightIndex(cg, shift, scaled), [d], `${what}'s bias`),
      eps,
    },
    out: shift.outIds[0],
  };
}

export interface LinearMatch { dense: DenseCells; input: number; out: number; name: string }

/** A Linear (MatMul with a 2-D weight, then a bias Add; or Gemm) reading exactly value `input`, or null. */
function linearAt(cg: CompiledGraph, n: CompiledNode, input: number): LinearMatch | null {
  if (n.argIds[0] !== input) return null;
  const k = lastDim(cg, input);
  if (n.node.opType === 'MatMul') {
    const w = n.argIds[1] < 0 ? cg.graph.initializers.get(n.node.inputs[1]) : undefined;
    if (!w || !w.float || w.dims.length !== 2 || w.dims[0] !== k) return null;
    const kernel = weightIn(cg, n, 1, w.dims, 'the weight');
    const out = n.outIds[0];
    const add = readers(cg, out).length === 1 ? readerOf(cg, out, 'Add', (a) => vectorWeightIndex(cg, a, out) >= 0) : null;
    if (!add) return { dense: { kernel, bias: null }, input, out, name: n.node.name };
    const bias = weightIn(cg, add, vectorWeightIndex(cg, add, out), [w.dims[1]], 'the bias');
    return { dense: { kernel, bias }, input, out: add.outIds[0], name: n.node.name };
  }
  if (n.node.opType === 'Gemm') {
    if (attrInt(n.node, 'transA', 0) !== 0 || attrFloat(n.node, 'alpha', 1) !== 1 || attrFloat(n.node, 'beta', 1) !== 1 || n.argIds[1] >= 0) return null;
    const w = cg.graph.initializers.get(n.node.inputs[1]);
    if (!w || w.dims.length !== 2) return null;
    const outDim = attrInt(n.node, 'transB', 0) === 1 ? w.dims[0] : w.dims[1];
    const kernel = weightIn(cg, n, 1, [k, outDim], 'the weight'); // Gemm's cell holds B as [in, out] whatever transB
    const bias = n.node.inputs[2] ? weightIn(cg, n, 2, [outDim], 'the bias') : null;
    return { dense: { kernel, bias }, input, out: n.outIds[0], name: n.node.name };
  }
  return null;
}

/** The one Linear reading `x` (through layout ops), or NoMatch naming `what`. */
export function linearFrom(cg: CompiledGraph, x: number, what: string): LinearMatch {
  const found: LinearMatch[] = [];
  for (const v of forwardThroughLayout(cg, x)) {
    for (const n of readers(cg, v)) {
      const m = linearAt(cg, n, v);
      if (m) found.push(m);
    }
  }
  if (found.length !== 1) {
    throw new NoMatch(found.length === 0
      ? `${what}: no Linear (MatMul with a weight and a bias Add, or Gemm) reads its input, which is read by ${readerOps(cg, x)}`
      : `${what}: ${found.length} Linears read its input (${found.map((f) => `"${f.name}"`).join(', ')}), not one`);
  }
  return found[0];
}

/** The Linear whose output `y` is (through layout ops), or NoMatch. */
export function linearInto(cg: CompiledGraph, y: number, what: string): LinearMatch {
  const v = backThroughLayout(cg, y);
  const p = cg.values[v].producer;
  const n = p >= 0 ? cg.nodes[p] : null;
  let m: LinearMatch | null = null;
  if (n?.node.opType === 'Gemm' && n.argIds[0] >= 0) m = linearAt(cg, n, n.argIds[0]);
  if (n?.node.opType === 'Add') {
    const mm = n.argIds.map((a) => (a >= 0 ? cg.values[a].producer : -1)).filter((q) => q >= 0 && cg.nodes[q].node.opType === 'MatMul');
    if (mm.length === 1 && cg.nodes[mm[0]].argIds[0] >= 0) m = linearAt(cg, cg.nodes[mm[0]], cg.nodes[mm[0]].argIds[0]);
  }
  if (!m || m.out !== v) throw new NoMatch(`${what}: it is not the output of a Linear (MatMul with a weight and a bias Add, or Gemm) but of ${n ? `${n.node.opType} "${n.node.name}"` : 'the input'}`);
  return m;
}

// ---- the activation between fc1 and fc2 ----------------------------------------------------------------------------

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Erf', 'Tanh', 'Gelu']);

/** erf to 1.2e-7 (Numerical Recipes' erfc by Chebyshev fit): enough to tell exact GELU from its tanh form (4.7e-4 apart). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

const geluExact = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const SAMPLES = Array.from({ length: 33 }, (_, i) => -4 + i / 4);

function apply(op: string, n: CompiledNode, a: number, b: number): number {
  switch (op) {
    case 'Add': return a + b;
    case 'Sub': return a - b;
    case 'Mul': return a * b;
    case 'Div': return a / b;
    case 'Pow': return a ** b;
    case 'Sqrt': return Math.sqrt(a);
    case 'Erf': return erf(a);
    case 'Tanh': return Math.tanh(a);
    default: return attrString(n.node, 'approximate', 'none') === 'tanh' ? geluTanh(a) : geluExact(a);
  }
}

/**
 * The elementwise ops after `f` (fc1's output) up to the value the next Linear reads: that value and which GELU it
 * computes, found by evaluating the ops on sample points (both forms, and anything else, tell themselves apart).
 */
export function geluFrom(cg: CompiledGraph, f: number, what: string): { form: 'erf' | 'tanh'; out: number } {
  const samples = new Map<number, number[]>([[f, SAMPLES]]);
  const start = cg.values[f].producer;
  for (const n of cg.nodes) {
    if (n.index <= start || !ELEMENTWISE.has(n.node.opType)) continue;
    const tensors = n.argIds.filter((a) => a >= 0);
    if (tensors.length === 0 || !tensors.every((a) => samples.has(a))) continue;
    const args = n.argIds.map((a, j) => (a >= 0 ? samples.get(a)! : scalarIn(cg, n, j)));
    if (args.some((a) => a === null)) continue;
    const [a, b] = args.map((v) => (Array.isArray(v) ? v : SAMPLES.map(() => v as number)));
    samples.set(n.outIds[0], SAMPLES.map((_, i) => apply(n.node.opType, n, a[i], b?.[i] ?? 0)));
  }
  const read = [...samples.keys()].filter((v) => v !== f && readers(cg, v).some((n) => linearAt(cg, n, v) !== null));
  if (read.length !== 1) {
    throw new NoMatch(`${what}: no GELU (Div, Erf, Add, Mul, Mul; its tanh form; or Gelu) leads from fc1 to fc2; fc1's output is read by ${readerOps(cg, f)}`);
  }
  const got = samples.get(read[0])!;
  const close = (g: (x: number) => number) => SAMPLES.every((x, i) => Math.abs(got[i] - g(x)) <= 2e-5 * Math.max(1, Math.abs(x)));
  if (close(geluExact)) return { form: 'erf', out: read[0] };
  if (close(geluTanh)) return { form: 'tanh', out: read[0] };
  throw new NoMatch(`${what}: the elementwise ops between fc1 and fc2 compute neither exact GELU nor its tanh form`);
}
