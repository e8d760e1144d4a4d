// Finds a Vision Transformer's attention points in a compiled ONNX graph (docs/methods.md §2.1): per encoder block the
// post-softmax attention of all heads, that is a Softmax over the last axis whose output is the first input of a
// MatMul (A V). torchvision's nn.MultiheadAttention exports it as [B * heads, T, T] (batch-major), timm's Attention as
// [B, heads, T, T]. Around each Softmax the block's residual stream gives the tokens entering it (the latest value
// before the Softmax that still has a reader after it and that nothing else crosses: x, read by norm1 and by the first
// residual Add) and leaving it (the next block's input; for the last block the second residual Add after x). The
// patch grid comes from the patch-embedding Conv (kernel = stride), the [CLS] position from the Concat that puts a
// learned token before the patches.
import type { CompiledGraph } from './compile-graph';
import { presentedShape, type OnnxCuts } from './onnx-cut-points';
import { attrInts, attrInt } from './onnx-graph';

export interface OnnxAttentionBlock {
  /** Value id of the post-softmax attention. */
  softmax: number;
  /** [B, heads, T, T] as it is (timm), or [B * heads, T, T] batch-major (torchvision's MultiheadAttention). */
  form: 'heads-axis' | 'merged-batch';
  /** Value ids of the tokens [B, T, D] entering and leaving the block. */
  input: number;
  output: number;
}

export interface OnnxAttentionLayout {
  blocks: OnnxAttentionBlock[];
  heads: number;
  tokens: number;
  grid: [number, number];
}

/** What was found: the layout, or why not (null when the graph has no attention-like Softmax at all: a CNN). */
export type AttentionDiscovery = { layout: OnnxAttentionLayout; problem: null } | { layout: null; problem: string | null };

export const EXPECTED_ATTENTION_PATTERN = 'per encoder block, a Softmax over the last axis whose output is the first input of a MatMul '
  + '(attention times V), of shape [B, heads, T, T] or [B*heads, T, T]; the tokens [B, T, D] entering each block on a residual stream '
  + '(x + attention(norm(x))); a patch-embedding Conv with kernel = stride giving T - 1 patches; and a learned [CLS] token '
  + 'concatenated before the patches';

/** Data edges [producer node index (-1: the input), consumer node index, value id], shape reads excluded. */
function dataEdges(cg: CompiledGraph): Array<[number, number, number]> {
  const edges: Array<[number, number, number]> = [];
  for (const n of cg.nodes) {
    if (n.shapeReader) continue;
    for (const a of n.argIds) if (a >= 0 && cg.values[a].kind === 'tensor') edges.push([cg.values[a].producer, n.index, a]);
  }
  return edges;
}

/** Values reachable from the image input through data edges. */
function imageDependent(cg: CompiledGraph): Set<number> {
  const out = new Set<number>([cg.inputId]);
  for (const n of cg.nodes) {
    if (n.shapeReader || n.host) continue;
    if (n.argIds.some((a) => a >= 0 && out.has(a))) for (const o of n.outIds) out.add(o);
  }
  return out;
}

export function discoverAttention(cg: CompiledGraph, fixedBatch: boolean): AttentionDiscovery {
  const softmaxes = cg.nodes.filter((n) => n.node.opType === 'Softmax' && !n.host && n.outIds[0] !== cg.outputId);
  if (softmaxes.length === 0) return { layout: null, problem: null };
  const fail = (why: string): AttentionDiscovery => ({ layout: null, problem: why });
  const edges = dataEdges(cg);
  const dependent = imageDependent(cg);
  const batch = cg.probeBatch;
  const rankOf = (id: number) => cg.values[id].shape.length;
  const followsBatch = (id: number, perItem: number) => {
    const v = cg.values[id];
    return v.shape[0] === batch * perItem && (fixedBatch || (v.growth[0] === perItem && v.growth.slice(1).every((g) => g === 0)));
  };
  /** Nothing but `id` crosses the position right after its producer. */
  const isCut = (id: number) => {
    const p = cg.values[id].producer;
    return !edges.some(([u, w, v]) => v !== id && u <= p && w > p);
  };

  // The attention Softmaxes: over the last axis, feeding a MatMul as its first input.
  const attention = softmaxes.filter((n) => {
    const out = n.outIds[0];
    const rank = rankOf(out);
    const axis = attrInt(n.node, 'axis', -1);
    const last = axis === -1 || axis === rank - 1;
    const readers = cg.values[out].consumers.map((c) => cg.nodes[c]);
    return last && (rank === 3 || rank === 4) && readers.some((r) => r.node.opType === 'MatMul' && r.argIds[0] === out);
  });
  if (attention.length === 0) {
    return fail(`none of its ${softmaxes.length} Softmax node(s) (first "${softmaxes[0].node.name}") is over the last axis of a 3-D or 4-D tensor and read by a MatMul as attention times V`);
  }
  const first = cg.values[attention[0].outIds[0]];
  const tokens = first.shape[first.shape.length - 1];
  const heads = first.shape.length === 4 ? first.shape[1] : first.shape[0] / batch;
  const blocks: OnnxAttentionBlock[] = [];
  for (const n of attention) {
    const id = n.outIds[0];
    const v = cg.values[id];
    const rank = v.shape.length;
    const h = rank === 4 ? v.shape[1] : v.shape[0] / batch;
    if (v.shape[rank - 1] !== tokens || v.shape[rank - 2] !== tokens || h !== heads || !followsBatch(id, rank === 4 ? 1 : heads)) {
      return fail(`the attention at "${n.node.name}" has shape [${v.shape.join(', ')}], not [${batch}, ${heads}, ${tokens}, ${tokens}] or [${batch * heads}, ${tokens}, ${tokens}] like the first block's`);
    }
    // The tokens entering the block: the latest cut before the Softmax that is read after it (the residual stream).
    const s = n.index;
    const crossing = [...new Set(edges.filter(([u, w]) => u < s && w > s).map(([, , val]) => val))]
      .filter((val) => cg.values[val].shape.length === 3 && cg.values[val].shape[1] === tokens && followsBatch(val, 1) && isCut(val))
      .sort((a, b) => cg.values[b].producer - cg.values[a].producer);
    if (crossing.length === 0) {
      return fail(`no token tensor [B, ${tokens}, D] enters the block of "${n.node.name}" on a residual stream (x read by the block's norm and by the residual Add after the attention)`);
    }
    blocks.push({ softmax: id, form: rank === 4 ? 'heads-axis' : 'merged-batch', input: crossing[0], output: -1 });
  }
  for (let b = 0; b + 1 < blocks.length; b++) blocks[b].output = blocks[b + 1].input;
  const lastBlock = blocks[blocks.length - 1];
  const out = residualOutput(cg, lastBlock.input, cg.values[lastBlock.softmax].producer);
  if (out === null || !followsBatch(out, 1) || cg.values[out].shape[1] !== tokens) {
    return fail(`the last block's output (the second residual Add after its input tokens, x + attention, then + MLP) was not found`);
  }
  lastBlock.output = out;

  const grid = patchGrid(cg, cg.values[blocks[0].input].producer);
  if (!grid) return fail(`no patch-embedding Conv (kernel = stride) before the first block`);
  if (grid[0] * grid[1] !== tokens - 1) {
    const extra = tokens - grid[0] * grid[1];
    return fail(`the ${grid[0]}x${grid[1]} patches and ${tokens} tokens leave ${extra} extra token(s); only one [CLS] token is supported (a distillation token is not)`);
  }
  if (!clsFirst(cg, dependent, tokens, cg.values[blocks[0].input].producer)) {
    return fail(`no learned [CLS] token is concatenated before the patch tokens ahead of the first block`);
  }
  return { layout: { blocks, heads, tokens, grid }, problem: null };
}

/** The Add (two tensor inputs) reading `id` after node index `after`. */
function residualAdd(cg: CompiledGraph, id: number, after: number): number | null {
  for (const c of cg.values[id].consumers) {
    const n = cg.nodes[c];
    if (n.index > after && n.node.opType === 'Add' && n.argIds.filter((a) => a >= 0 && cg.values[a].kind === 'tensor').length === 2) return n.outIds[0];
  }
  return null;
}

/** x -> x + attention (after the Softmax) -> (x + attention) + MLP: the block's output. */
function residualOutput(cg: CompiledGraph, input: number, softmaxNode: number): number | null {
  const mid = residualAdd(cg, input, softmaxNode);
  return mid === null ? null : residualAdd(cg, mid, cg.values[mid].producer);
}

/** [rows, cols] of the patch-embedding Conv (kernel = stride > 1) before node `before`. */
function patchGrid(cg: CompiledGraph, before: number): [number, number] | null {
  for (const n of cg.nodes) {
    if (n.index >= before || n.node.opType !== 'Conv') continue;
    const kernel = attrInts(n.node, 'kernel_shape');
    const strides = attrInts(n.node, 'strides');
    if (!kernel || !strides || kernel.length !== 2 || kernel[0] !== strides[0] || kernel[1] !== strides[1] || kernel[0] < 2) continue;
    const shape = cg.values[n.outIds[0]].shape; // [B, D, rows, cols]
    return [shape[2], shape[3]];
  }
  return null;
}

/** A Concat along the token axis before node `before` whose first input is one token not computed from the image. */
function clsFirst(cg: CompiledGraph, dependent: Set<number>, tokens: number, before: number): boolean {
  for (const n of cg.nodes) {
    if (n.index > before || n.node.opType !== 'Concat' || n.host) continue;
    const out = cg.values[n.outIds[0]];
    if (out.shape.length !== 3 || out.shape[1] !== tokens) continue;
    const axis = attrInt(n.node, 'axis', 0);
    if (axis !== 1 && axis !== -2) continue;
    // The first input may be a constant (a class token expanded to a fixed batch is folded at load): its token count
    // is what the other inputs leave.
    const [firstArg, ...rest] = n.argIds;
    if (rest.some((a) => a < 0) || (firstArg >= 0 && dependent.has(firstArg))) continue;
    if (tokens - rest.reduce((sum, a) => sum + cg.values[a].shape[1], 0) === 1) return true;
  }
  return false;
}

/**
 * On a ViT the block outputs are the encoder blocks' output tokens, one per block, in order (what the ViT methods and
 * Grad-CAM's default layer use), and nothing else. A block output that is no named cut point (never so for
 * torchvision's and timm's exports) is added under its node's name.
 */
export function markEncoderBlockOutputs(cg: CompiledGraph, cuts: OnnxCuts, layout: OnnxAttentionLayout): void {
  const outputs = layout.blocks.map((b) => b.output);
  const named = new Map([...cuts.valueOf].map(([name, id]) => [id, name]));
  for (const id of outputs) {
    if (named.has(id)) continue;
    const v = cg.values[id];
    const name = cg.nodes[v.producer].node.name.replace(/^\//, '') || v.name;
    const position = cuts.positions.get(v.producer)!;
    cuts.cuts.push({ name, shape: presentedShape(v.shape, v.present), position, isBlockOutput: false, className: cg.nodes[v.producer].node.opType });
    cuts.cuts.sort((a, b) => a.position - b.position);
    cuts.valueOf.set(name, id);
    named.set(id, name);
  }
  const blockNames = new Set(outputs.map((id) => named.get(id)));
  for (const c of cuts.cuts) c.isBlockOutput = blockNames.has(c.name);
}
