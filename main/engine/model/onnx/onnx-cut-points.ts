// Cut points of an ONNX graph (docs/methods.md §1.1), by the same rule as for LayersModels: in topological order of the tensor
// nodes, a node's output is a cut exactly when every data edge from a node at or before it to a node after it carries
// that output. Edges into Shape/Size (shape only), from constants and from weights do not count. A cut is named by
// the PyTorch module whose output it is (the tensor produced inside the module's scope and used outside it); nested
// modules sharing the tensor (layer4, layer4.1, layer4.1.relu_1) are the outermost's aliases.
import { markBlockOutputs } from '../cut-points';
import type { CutPoint } from '../vision-model';
import type { CompiledGraph } from './compile-graph';
import { isWithin, moduleAtoms } from './module-paths';

const POOLING = new Set(['MaxPool', 'AveragePool']);
const MERGES = new Set(['Add', 'Sum', 'Concat', 'Mul', 'Sub', 'Div', 'Max', 'Min']);

/** The shape of a value as shown, without its batch axis: feature maps [h, w, c], [B, d] -> [d], [B, T, D] -> [T, D]. */
export function presentedShape(logical: readonly number[], present: readonly number[]): number[] {
  return present.slice(1).map((j) => logical[j]);
}

/** The module names of a value: the outermost module it is an output of, then the nested ones; [] if none. */
export function moduleNames(cg: CompiledGraph, valueId: number): string[] {
  const v = cg.values[valueId];
  if (v.producer < 0) return [];
  const atoms = moduleAtoms(cg.nodes[v.producer].node.name);
  const readers = v.consumers.map((c) => cg.nodes[c]).filter((n) => !n.shapeReader).map((n) => moduleAtoms(n.node.name).join('.'));
  const isOutput = valueId === cg.outputId;
  const names: string[] = [];
  for (let k = 1; k <= atoms.length; k++) {
    const scope = atoms.slice(0, k).join('.');
    if (isOutput || readers.some((r) => !isWithin(r, scope))) names.push(scope);
  }
  return names;
}

/** A name for values no module owns: the node name without its leading slash ("Flatten", "features/Relu"). */
function fallbackName(cg: CompiledGraph, valueId: number): string {
  const v = cg.values[valueId];
  return v.producer < 0 ? v.name : cg.nodes[v.producer].node.name.replace(/^\//, '') || v.name;
}

export interface OnnxCuts {
  cuts: CutPoint[];
  /** Cut name -> value id. */
  valueOf: Map<string, number>;
  /** Position of each tensor node (node index -> position; 0 is the input). */
  positions: Map<number, number>;
}

/** Whether a value's logical axis 0 is the batch (dim grows one per batch item), so it can be fed and fetched per image. */
function batchLeading(cg: CompiledGraph, valueId: number, fixedBatch: boolean): boolean {
  const v = cg.values[valueId];
  if (v.kind !== 'tensor' || v.shape.length < 2 || v.shape.length > 4) return false;
  if (fixedBatch) return v.shape[0] === cg.probeBatch;
  return v.growth[0] === 1 && v.shape[0] === cg.probeBatch && v.growth.slice(1).every((g) => g === 0);
}

export function listOnnxCutPoints(cg: CompiledGraph, fixedBatch: boolean): OnnxCuts {
  const tensorNodes = cg.nodes.filter((n) => !n.host);
  const positions = new Map<number, number>(tensorNodes.map((n, i) => [n.index, i + 1]));
  const posOfValue = (id: number) => (cg.values[id].producer < 0 ? 0 : positions.get(cg.values[id].producer)!);
  // Data edges: (from position, to position, value).
  const edges: Array<[number, number, number]> = [];
  for (const n of tensorNodes) {
    for (const a of n.argIds) if (a >= 0 && cg.values[a].kind === 'tensor') edges.push([posOfValue(a), positions.get(n.index)!, a]);
  }
  const cuts: CutPoint[] = [];
  const valueOf = new Map<string, number>();
  const used = new Set<string>();
  const candidates = [cg.inputId, ...tensorNodes.filter((n) => n.outIds.length === 1).map((n) => n.outIds[0])];
  for (const id of candidates) {
    if (id === cg.outputId || !batchLeading(cg, id, fixedBatch)) continue;
    const p = posOfValue(id);
    if (edges.some(([u, w, val]) => u <= p && w > p && val !== id)) continue;
    const v = cg.values[id];
    const names = id === cg.inputId ? [v.name] : moduleNames(cg, id);
    // Values inside a module that are not its output (the steps of a LayerNorm2d) are not offered as cut points;
    // ops at the root of forward() (torch.flatten, F.relu) are named by their node.
    if (names.length === 0 && moduleAtoms(cg.nodes[v.producer].node.name).length > 0) continue;
    const all = names.length ? names : [fallbackName(cg, id)];
    const name = all.find((n) => !used.has(n)) ?? v.name;
    used.add(name);
    const aliases = all.filter((n) => n !== name && !used.has(n));
    cuts.push({ name, shape: presentedShape(v.shape, v.present), position: p, isBlockOutput: false, className: v.producer < 0 ? 'Input' : cg.nodes[v.producer].node.opType,
      ...(aliases.length ? { aliases } : {}) });
    valueOf.set(name, id);
  }
  const merges = new Set(tensorNodes.filter((n) => MERGES.has(n.node.opType) && n.argIds.filter((a) => a >= 0 && cg.values[a].kind === 'tensor').length >= 2)
    .map((n) => positions.get(n.index)!));
  markBlockOutputs(cuts, (c) => POOLING.has(c.className), (from, to) => [...merges].some((m) => m >= from && m <= to));
  return { cuts, valueOf, positions };
}
