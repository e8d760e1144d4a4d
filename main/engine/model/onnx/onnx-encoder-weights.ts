// The encoder weights of an ONNX ViT (what T-Attr's relevance pass needs, EncoderWeights), read from the graph by
// following it from each block's input tokens (found by onnx-attention.ts): norm1, the qkv projection (torchvision's
// packed in_proj, timm's qkv Linear) that feeds the attention Softmax, the out projection after attention times V
// that the first residual Add adds to the input, norm2, fc1, GELU, fc2 that the second residual Add adds; then the
// final norm, the [CLS] token picked (before or after it) and the head that gives the logits. The map holds the
// executor's weight cells, so encoderWeights() gives the current values (after a randomization test's writes too).
// Anything else (three separate q/k/v projections, a ReLU or gated MLP, post-norm blocks, a mean-pooled head) is not
// matched and comes back as a problem naming the piece; tattr refuses with it, and still checks the logits.
import type { EncoderBlockWeights, EncoderWeights, NormWeights, DenseWeights } from '../vision-model';
import type { tf } from '../../tf';
import type { CompiledGraph, CompiledNode } from './compile-graph';
import type { OnnxAttentionLayout } from './onnx-attention';
import { backThroughLayout, geluFrom, layerNormFrom, linearFrom, linearInto, NoMatch, readerOps, readers, type DenseCells, type NormCells } from './onnx-encoder-patterns';
import { attrInt } from './onnx-graph';
import { numbers } from './host-tensor';

interface BlockCells { norm1: NormCells; qkv: DenseCells; proj: DenseCells; norm2: NormCells; fc1: DenseCells; fc2: DenseCells }

export interface OnnxEncoderMap {
  blocks: BlockCells[];
  norm: NormCells;
  head: DenseCells;
  gelu: 'erf' | 'tanh';
}

export type EncoderDiscovery = { map: OnnxEncoderMap; problem: null } | { map: null; problem: string };

/** True when `to` is computed from `from` (data edges only). */
function reaches(cg: CompiledGraph, from: number, to: number): boolean {
  const limit = cg.values[to].producer;
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length) {
    const v = stack.pop()!;
    if (v === to) return true;
    for (const n of readers(cg, v)) {
      if (n.index > limit) continue;
      for (const o of n.outIds) if (!seen.has(o)) { seen.add(o); stack.push(o); }
    }
  }
  return false;
}

/** The first Add of `a` and another tensor after node index `after` (a residual sum): [its output, the other input]. */
function residualWith(cg: CompiledGraph, a: number, after: number): [number, number] | null {
  for (const n of readers(cg, a)) {
    if (n.index <= after || n.node.opType !== 'Add' || n.argIds.length !== 2 || n.argIds.some((x) => x < 0)) continue;
    return [n.outIds[0], n.argIds[0] === a ? n.argIds[1] : n.argIds[0]];
  }
  return null;
}

function blockCells(cg: CompiledGraph, layout: OnnxAttentionLayout, b: number): { cells: BlockCells; gelu: 'erf' | 'tanh' } {
  const { input: x, output: y, softmax: s } = layout.blocks[b];
  const d = cg.values[x].shape[2];
  const at = (piece: string) => `block ${b}'s ${piece}`;
  const norm1 = layerNormFrom(cg, x, at('norm1'));
  const qkv = linearFrom(cg, norm1.out, at('qkv projection'));
  if (qkv.dense.kernel.tensor.shape[1] !== 3 * d) {
    throw new NoMatch(`${at('qkv projection')}: "${qkv.name}" gives ${qkv.dense.kernel.tensor.shape[1]} features, not 3 x ${d} (q, k and v from one packed projection)`);
  }
  if (!reaches(cg, qkv.out, s)) throw new NoMatch(`${at('qkv projection')}: the attention Softmax is not computed from "${qkv.name}"`);
  const softmaxNode = cg.values[s].producer;
  const mid = residualWith(cg, x, softmaxNode);
  if (!mid) throw new NoMatch(`${at('first residual Add')} (input + attention) was not found; the input is read by ${readerOps(cg, x)}`);
  const proj = linearInto(cg, mid[1], at('attention output'));
  const av = cg.values[backThroughLayout(cg, proj.input, false)].producer;
  const avNode: CompiledNode | undefined = cg.nodes[av];
  if (avNode?.node.opType !== 'MatMul' || avNode.argIds[0] !== s) {
    throw new NoMatch(`${at('out projection')}: "${proj.name}" does not read attention times V`);
  }
  const norm2 = layerNormFrom(cg, mid[0], at('norm2'));
  const fc1 = linearFrom(cg, norm2.out, at('MLP'));
  const act = geluFrom(cg, fc1.out, at('MLP'));
  const fc2 = linearFrom(cg, act.out, at('MLP'));
  const end = residualWith(cg, mid[0], cg.values[mid[0]].producer);
  if (!end || end[0] !== y || backThroughLayout(cg, end[1]) !== fc2.out) {
    throw new NoMatch(`${at('second residual Add')} (x + MLP) is not the block's output`);
  }
  return { cells: { norm1: norm1.norm, qkv: qkv.dense, proj: proj.dense, norm2: norm2.norm, fc1: fc1.dense, fc2: fc2.dense }, gelu: act.form };
}

/** [B, T, D] -> [B, D], token 0: Gather(axis 1, index 0), or Slice of [0, 1) on axis 1 then a squeeze. */
function clsPick(cg: CompiledGraph, x: number): number | null {
  const constant = (n: CompiledNode, j: number) => {
    const c = n.argIds[j] === -1 ? cg.graph.initializers.get(n.node.inputs[j] ?? '') : undefined;
    return c ? numbers(c) : null;
  };
  for (const n of readers(cg, x)) {
    if (n.node.opType === 'Gather' && n.argIds[0] === x && attrInt(n.node, 'axis', 0) === 1) {
      const index = cg.graph.initializers.get(n.node.inputs[1]);
      if (index && index.dims.length === 0 && numbers(index)[0] === 0) return n.outIds[0];
    }
    if (n.node.opType === 'Slice' && n.argIds[0] === x) {
      const [starts, ends, axes] = [1, 2, 3].map((j) => constant(n, j));
      if (starts?.[0] !== 0 || ends?.[0] !== 1 || (axes?.[0] ?? 0) !== 1 || starts.length !== 1) continue;
      const squeeze = readers(cg, n.outIds[0]).find((r) => ['Squeeze', 'Reshape', 'Flatten'].includes(r.node.opType));
      if (squeeze && cg.values[squeeze.outIds[0]].shape.length === 2) return squeeze.outIds[0];
    }
  }
  return null;
}

/** The final norm and the head on [CLS], in either order (LayerNorm acts per token). */
function headCells(cg: CompiledGraph, last: number): { norm: NormCells; head: DenseCells } {
  let norm: NormCells;
  let cls = clsPick(cg, last);
  if (cls === null) {
    const n = layerNormFrom(cg, last, 'the final norm');
    norm = n.norm;
    cls = clsPick(cg, n.out);
    if (cls === null) throw new NoMatch(`the head: no [CLS] token (token 0) is picked after the final norm; it is read by ${readerOps(cg, n.out)} (a mean-pooled head is not supported)`);
  } else {
    const n = layerNormFrom(cg, cls, 'the final norm');
    norm = n.norm;
    cls = n.out;
  }
  const head = linearFrom(cg, cls, 'the head');
  if (head.out !== cg.outputId) throw new NoMatch(`the head: "${head.name}" does not give the model's logits`);
  return { norm, head: head.dense };
}

export function discoverEncoder(cg: CompiledGraph, layout: OnnxAttentionLayout): EncoderDiscovery {
  try {
    const blocks: BlockCells[] = [];
    const forms = new Set<'erf' | 'tanh'>();
    for (let b = 0; b < layout.blocks.length; b++) {
      const { cells, gelu } = blockCells(cg, layout, b);
      blocks.push(cells);
      forms.add(gelu);
    }
    if (forms.size > 1) throw new NoMatch('the blocks mix exact GELU and its tanh form');
    const { norm, head } = headCells(cg, layout.blocks[layout.blocks.length - 1].output);
    return { map: { blocks, norm, head, gelu: [...forms][0] }, problem: null };
  } catch (e) {
    if (e instanceof NoMatch) return { map: null, problem: e.message };
    throw e;
  }
}

const normOf = (c: NormCells): NormWeights => ({ gamma: c.gamma.tensor as tf.Tensor1D, beta: c.beta.tensor as tf.Tensor1D, eps: c.eps });
const denseOf = (c: DenseCells): DenseWeights => ({ kernel: c.kernel.tensor as tf.Tensor2D, bias: (c.bias?.tensor ?? null) as tf.Tensor1D | null });

/** The weights as they are now (the cells' current tensors: the model's, not to be disposed). */
export function encoderWeights(map: OnnxEncoderMap): EncoderWeights {
  const blocks: EncoderBlockWeights[] = map.blocks.map((c) => ({
    norm1: normOf(c.norm1), qkv: denseOf(c.qkv), proj: denseOf(c.proj), norm2: normOf(c.norm2), fc1: denseOf(c.fc1), fc2: denseOf(c.fc2),
  }));
  return { blocks, norm: normOf(map.norm), head: denseOf(map.head), gelu: map.gelu };
}
