// The ONNX graph as the importer works with it: nodes in topological order with plain attributes, initializers and
// Constant nodes decoded to HostTensors, Identity nodes on initializers resolved (torch.onnx.export de-duplicates
// equal weights through them: each alias becomes an initializer of its own name that shares the decoded data), and
// nodes that do not lead to the output dropped.
import type { AttributeProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';
import { UserError } from '../../errors';
import { decodeTensor, hostInts, type HostTensor } from './host-tensor';

export type Attr = number | number[] | string | string[] | HostTensor;

export interface OnnxNode {
  opType: string;
  domain: string;
  /** The node name as exported ("/layer4/layer4.1/relu_1/Relu"), or a made-up "OpType_index" when it has none. */
  name: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Map<string, Attr>;
}

/** A graph input or output: its name and dims (a number, or null for a symbolic/unknown dimension). */
export interface GraphValue {
  name: string;
  dims: Array<number | null> | null;
}

export interface OnnxGraph {
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, HostTensor>;
  /** Initializers that came from Constant nodes (values of the graph, not weights of the model). */
  constants: Set<string>;
  input: GraphValue;
  output: GraphValue;
}

function attrValue(a: AttributeProto, where: string, external: (t: TensorProto) => Uint8Array): Attr {
  switch (a.type) {
    case 1: return a.f;
    case 2: return Number(a.i);
    case 3: return new TextDecoder().decode(a.s);
    case 4: return decodeTensor(a.t!, where, external);
    case 6: return a.floats.slice();
    case 7: return a.ints.map(Number);
    case 8: return a.strings.map((s) => new TextDecoder().decode(s));
    default: return [];
  }
}

function graphValue(v: ValueInfoProto): GraphValue {
  const t = v.type?.value;
  if (v.type?.value.case !== 'tensorType' || !t?.value || !('shape' in t.value) || !t.value.shape) return { name: v.name, dims: null };
  return {
    name: v.name,
    dims: t.value.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : null)),
  };
}

/** A Constant node's value (opset 13+: value, value_float(s), value_int(s)). */
function constantValue(attrs: Map<string, Attr>, name: string): HostTensor {
  const v = attrs.get('value');
  if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  const f = attrs.get('value_float');
  if (typeof f === 'number') return { dims: [], float: true, data: Float32Array.of(f) };
  const fs = attrs.get('value_floats');
  if (Array.isArray(fs)) return { dims: [fs.length], float: true, data: Float32Array.from(fs as number[]) };
  const i = attrs.get('value_int');
  if (typeof i === 'number') return hostInts([], [i]);
  const is = attrs.get('value_ints');
  if (Array.isArray(is)) return hostInts([is.length], is as number[]);
  throw new UserError(`Constant node "${name}" has a kind of value DIX Workbench does not read (sparse or string).`, 'Export the model again without it.');
}

/** Orders nodes so that every node follows the producers of its inputs (exports are ordered already; this is a check). */
function topologicalOrder(nodes: OnnxNode[], available: Set<string>): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const done = new Set<OnnxNode>();
  const order: OnnxNode[] = [];
  const visiting = new Set<OnnxNode>();
  const visit = (root: OnnxNode) => {
    // Iterative DFS: deep graphs (ResNet-101, DenseNet-201) would overflow a recursive one.
    const stack: Array<[OnnxNode, number]> = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [n, i] = top;
      if (i === 0) {
        if (done.has(n)) { stack.pop(); continue; }
        visiting.add(n);
      }
      if (i < n.inputs.length) {
        top[1]++;
        const name = n.inputs[i];
        const p = name && !available.has(name) ? producer.get(name) : undefined;
        if (p && !done.has(p)) {
          if (visiting.has(p)) throw new UserError(`The ONNX graph has a cycle through node "${p.name}".`, 'Export the model again.');
          stack.push([p, 0]);
        }
        continue;
      }
      stack.pop();
      visiting.delete(n);
      done.add(n);
      order.push(n);
    }
  };
  for (const n of nodes) visit(n);
  return order;
}

/** Nodes that some path connects to the output. */
function liveNodes(nodes: OnnxNode[], output: string): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const live = new Set<OnnxNode>();
  const stack = [output];
  while (stack.length) {
    const p = producer.get(stack.pop()!);
    if (!p || live.has(p)) continue;
    live.add(p);
    stack.push(...p.inputs.filter(Boolean));
  }
  return nodes.filter((n) => live.has(n));
}

/** Builds the importer's graph from a decoded model. `external` reads externally stored tensor bytes. */
export function buildGraph(model: ModelProto, opset: number, path: string, external: (t: TensorProto) => Uint8Array): OnnxGraph {
  const g = model.graph!;
  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer) initializers.set(t.name, decodeTensor(t, path, external));
  const constants = new Set<string>();
  const inputs = g.input.filter((v) => !initializers.has(v.name));
  if (inputs.length !== 1 || g.output.length !== 1) {
    throw new UserError(`${path} has ${inputs.length} inputs and ${g.output.length} outputs.`,
      'DIX Workbench explains image classifiers with one image input and one logits output.');
  }
  let nodes: OnnxNode[] = [];
  g.node.forEach((n: NodeProto, i) => {
    const name = n.name || `${n.opType}_${i}`;
    const attrs = new Map(n.attribute.map((a) => [a.name, attrValue(a, `${path}, node "${name}"`, external)] as [string, Attr]));
    const node: OnnxNode = { opType: n.opType, domain: n.domain === 'ai.onnx' ? '' : n.domain, name, inputs: n.input.slice(), outputs: n.output.slice(), attrs };
    if (node.opType === 'Constant' && node.domain === '') {
      initializers.set(node.outputs[0], constantValue(attrs, name));
      constants.add(node.outputs[0]);
      return;
    }
    if (node.opType === 'Identity' && node.domain === '' && initializers.has(node.inputs[0])) {
      initializers.set(node.outputs[0], initializers.get(node.inputs[0])!);
      if (constants.has(node.inputs[0])) constants.add(node.outputs[0]);
      return;
    }
    nodes.push(node);
  });
  const output = graphValue(g.output[0]);
  nodes = liveNodes(topologicalOrder(nodes, new Set([inputs[0].name, ...initializers.keys()])), output.name);
  return { opset, nodes, initializers, constants, input: graphValue(inputs[0]), output };
}

export function attrInt(n: OnnxNode, name: string, fallback: number): number {
  const v = n.attrs.get(name);
  return typeof v === 'number' ? v : fallback;
}

export function attrFloat(n: OnnxNode, name: string, fallback: number): number {
  const v = n.attrs.get(name);
  return typeof v === 'number' ? v : fallback;
}

export function attrInts(n: OnnxNode, name: string): number[] | null {
  const v = n.attrs.get(name);
  return Array.isArray(v) ? (v as number[]) : null;
}

export function attrString(n: OnnxNode, name: string, fallback: string): string {
  const v = n.attrs.get(name);
  return typeof v === 'string' ? v : fallback;
}
