// The attention points of an ONNX ViT (found by onnx-attention.ts) behind the AttentionModel interface, the same one the
// built-in ViT implements: runs start at the image or at the tokens entering a block, and each block's post-softmax
// attention is read, replaced (DIX's interpolated attention) or probed (its gradient) right after the Softmax
// produced it, through the executor's substitute hook. Attention tensors are shown as [B, heads, T, T] whatever form
// the graph holds them in. A graph fixed to one batch size runs in chunks of it, the replacements and probes sliced
// alongside.
import { tf } from '../../tf';
import type { AttentionModel, AttentionPass, AttentionRunOptions, EncoderWeights } from '../vision-model';
import type { CompiledGraph } from './compile-graph';
import { buildPlan, runPlan, tapeActive, type Plan } from './execute';
import { identity, relayout } from './layout';
import type { OnnxAttentionLayout } from './onnx-attention';
import { discoverEncoder, encoderWeights, type EncoderDiscovery } from './onnx-encoder-weights';

export class OnnxAttentionModel implements AttentionModel {
  readonly blocks: number;
  readonly heads: number;
  readonly tokens: number;
  readonly grid: [number, number];
  private readonly plans = new Map<string, Plan>();
  /** The encoder's weight cells, matched in the graph on first use (only T-Attr asks). */
  private encoderFound: EncoderDiscovery | null = null;

  constructor(
    private readonly cg: CompiledGraph,
    private readonly layout: OnnxAttentionLayout,
    /** The batch size the graph is fixed to, or null. */
    private readonly fixedBatch: number | null,
    private readonly checkAlive: () => void,
  ) {
    this.blocks = layout.blocks.length;
    this.heads = layout.heads;
    this.tokens = layout.tokens;
    this.grid = layout.grid;
  }

  /** Value ids of the tokens entering each block; [blocks] is the last block's output. */
  private tokenValue(block: number): number {
    if (!Number.isInteger(block) || block < 0 || block > this.blocks) throw new Error(`block ${block} is out of range 0..${this.blocks}`);
    return block === this.blocks ? this.layout.blocks[block - 1].output : this.layout.blocks[block].input;
  }

  /** The blocks' weights read from the graph (onnx-encoder-weights.ts), current values; null when they do not match. */
  encoder(): EncoderWeights | null {
    this.checkAlive();
    this.encoderFound ??= discoverEncoder(this.cg, this.layout);
    return this.encoderFound.map ? encoderWeights(this.encoderFound.map) : null;
  }

  get encoderProblem(): string | null {
    return this.encoderFound?.problem ?? null;
  }

  forward(input: tf.Tensor, o: AttentionRunOptions = {}): AttentionPass {
    return this.runFrom(this.cg.inputId, 0, input, o);
  }

  tokensBefore(input: tf.Tensor, block: number): tf.Tensor {
    const id = this.tokenValue(block);
    this.checkAlive();
    return tf.tidy(() => {
      const plan = this.plan(this.cg.inputId, [id]);
      return this.chunked(input, new Map(), (x) => {
        const start = this.cg.values[this.cg.inputId];
        const out = runPlan(this.cg, plan, relayout(x, start.present, start.perm), { batch: x.shape[0], taping: tapeActive() });
        const rec = this.cg.values[id];
        return [relayout(out[0], rec.perm, rec.present)];
      })[0];
    });
  }

  forwardFrom(block: number, tokens: tf.Tensor, o: AttentionRunOptions = {}): AttentionPass {
    return this.runFrom(this.tokenValue(block), block, tokens, o);
  }

  /** One pass from a fed value; `first` is the first block whose attention it computes. */
  private runFrom(startId: number, first: number, feed: tf.Tensor, o: AttentionRunOptions): AttentionPass {
    this.checkAlive();
    const bySoftmax = new Map<number, number>();
    for (let b = first; b < this.blocks; b++) bySoftmax.set(this.layout.blocks[b].softmax, b);
    const outs = tf.tidy(() => {
      const plan = this.plan(startId, [this.cg.outputId]);
      const taping = tapeActive();
      const extras = new Map<string, tf.Tensor>();
      for (const [b, t] of o.replace ?? []) extras.set(`r${b}`, t);
      for (const [b, t] of o.probes ?? []) extras.set(`p${b}`, t);
      return this.chunked(feed, extras, (x, part) => {
        const attentions: tf.Tensor[] = [];
        const start = this.cg.values[startId];
        const substitute = (id: number, computed: tf.Tensor): tf.Tensor | undefined => {
          const b = bySoftmax.get(id);
          if (b === undefined) return undefined;
          const replaced = part.get(`r${b}`);
          const used = replaced ? this.toGraph(b, replaced) : tf.reshape(computed, computed.shape);
          attentions[b - first] = used;
          const probe = part.get(`p${b}`);
          return probe ? tf.add(used, this.toGraph(b, probe)) : tf.reshape(used, used.shape);
        };
        const [logits] = runPlan(this.cg, plan, relayout(x, start.present, start.perm), { batch: x.shape[0], taping }, undefined, substitute);
        const rec = this.cg.values[this.cg.outputId];
        return [relayout(logits, rec.perm, rec.present), ...attentions.map((a, i) => this.fromGraph(first + i, a))];
      });
    });
    return { logits: outs[0] as tf.Tensor2D, attentions: outs.slice(1) };
  }

  /** [B, heads, T, T] -> the Softmax output's physical layout. */
  private toGraph(block: number, a: tf.Tensor): tf.Tensor {
    const rec = this.cg.values[this.layout.blocks[block].softmax];
    const [b, h, t] = a.shape;
    const logical = this.layout.blocks[block].form === 'merged-batch' ? tf.reshape(a, [b * h, t, t]) : a;
    return relayout(logical, identity(rec.perm.length), rec.perm);
  }

  /** The Softmax output's physical layout -> [B, heads, T, T]. */
  private fromGraph(block: number, a: tf.Tensor): tf.Tensor {
    const rec = this.cg.values[this.layout.blocks[block].softmax];
    const logical = relayout(a, rec.perm, identity(rec.perm.length));
    const t = this.tokens;
    return tf.reshape(logical, [-1, this.heads, t, t]);
  }

  private plan(startId: number, fetchIds: number[]): Plan {
    const taping = tapeActive();
    const key = `${startId}|${fetchIds.join(',')}|${taping}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = buildPlan(this.cg, startId, fetchIds, !taping);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /**
   * Runs `once` on the whole batch, or, for a graph fixed to one batch size, on chunks of it (the last zero-padded,
   * with `extras` sliced and padded alike) and joins the results along the batch axis.
   */
  private chunked(feed: tf.Tensor, extras: Map<string, tf.Tensor>, once: (x: tf.Tensor, part: Map<string, tf.Tensor>) => tf.Tensor[]): tf.Tensor[] {
    const n = this.fixedBatch;
    const total = feed.shape[0];
    if (!n || total === n) return once(feed, extras);
    const piece = (t: tf.Tensor, b: number, take: number) => {
      const s = tf.slice(t, b, take);
      return take < n ? tf.concat([s, tf.zeros([n - take, ...t.shape.slice(1)])]) : s;
    };
    const parts: tf.Tensor[][] = [];
    for (let b = 0; b < total; b += n) {
      const take = Math.min(n, total - b);
      const part = new Map([...extras].map(([k, t]) => [k, piece(t, b, take)]));
      parts.push(once(piece(feed, b, take), part).map((t) => (take < n ? tf.slice(t, 0, take) : t)));
    }
    return parts[0].map((_, k) => (parts.length === 1 ? parts[0][k] : tf.concat(parts.map((p) => p[k]))));
  }
}
