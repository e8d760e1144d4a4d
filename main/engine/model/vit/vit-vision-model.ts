// The built-in ViT behind the engine's model interface: weights are tf.Variables (trainable, and switchable in place by
// the randomization tests), the forward pass is vit-forward.ts. Cut points are the input and each block's output
// tokens `blocks.<i>` ([T, D]); the attention points of every block are exposed through attention().
import { createHash } from 'node:crypto';
import { tf } from '../../tf';
import type { Preprocessing } from '../../../../shared/preprocessing';
import type {
  AttentionModel, AttentionPass, AttentionRunOptions, CutPoint, EncoderWeights, ModelKind, ModelWalk, ModelWeight,
  ParameterizedModule, VisionModel,
} from '../vision-model';
import { patchGrid, tokenCount, type VitConfig } from './vit-config';
import { blockForward, embed, headLogits, type EmbeddingWeights } from './vit-forward';
import { initialValue, vitWeightSpecs, type VitWeightSpec } from './vit-weights';

export const BLOCK_CUT_PREFIX = 'blocks.';

export class ViTVisionModel implements VisionModel, AttentionModel {
  readonly kind: ModelKind = 'vit';
  readonly cuts: CutPoint[];
  readonly numClasses: number;
  readonly specs: VitWeightSpec[];
  /** In the order of `specs`. */
  readonly variables: tf.Variable[];
  readonly blocks: number;
  readonly heads: number;
  readonly tokens: number;
  readonly grid: [number, number];
  readonly hash: string;

  /** `values` (owned by the caller) in the order of vitWeightSpecs(config); absent: seeded initial values. */
  constructor(readonly config: VitConfig, readonly preprocessing: Preprocessing, o: { seed?: number; values?: tf.Tensor[]; hash?: string; path?: string | null } = {}) {
    this.specs = vitWeightSpecs(config);
    this.variables = this.specs.map((s, i) => {
      const init = o.values ? o.values[i] : initialValue(s, o.seed ?? 0);
      const v = tf.variable(init, true);
      if (!o.values) init.dispose();
      return v;
    });
    this.numClasses = config.numClasses;
    this.blocks = config.depth;
    this.heads = config.heads;
    this.tokens = tokenCount(config);
    this.grid = patchGrid(config);
    this.path = o.path ?? null;
    this.hash = o.hash ?? this.weightsHash();
    const [h, w, c] = config.inputShape;
    this.cuts = [
      { name: 'input', shape: [h, w, c], position: 0, isBlockOutput: false, className: 'Input' },
      ...Array.from({ length: config.depth }, (_, b) => ({
        name: `${BLOCK_CUT_PREFIX}${b}`, shape: [this.tokens, config.dim], position: b + 1, isBlockOutput: true, className: 'Block',
      })),
    ];
  }

  readonly path: string | null;

  countParams(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  predict(input: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.forward(input).logits);
  }

  forwardWithActivations(input: tf.Tensor, cuts: CutPoint[]): { activations: tf.Tensor[]; logits: tf.Tensor2D } {
    const wanted = cuts.map((c) => this.blockOf(c));
    const e = this.encoder();
    const outs = tf.tidy(() => {
      const kept: tf.Tensor[] = [];
      let x = embed(input, this.embedding(), this.config.patch);
      for (let b = 0; b < this.blocks; b++) {
        x = blockForward(x, e.blocks[b], this.heads, e.gelu).tokens;
        kept[b] = x;
      }
      return [...wanted.map((b) => kept[b]), headLogits(x, e)];
    });
    return { activations: outs.slice(0, wanted.length), logits: outs[wanted.length] as tf.Tensor2D };
  }

  tailLogits(cut: CutPoint, activation: tf.Tensor): tf.Tensor2D {
    if (cut.position === 0) return this.forward(activation).logits;
    return this.forwardFrom(this.blockOf(cut) + 1, activation).logits;
  }

  hasLayer(name: string): boolean {
    return this.cuts.some((c) => c.name === name) || this.specs.some((s) => s.module === name);
  }

  parameterizedModules(): ParameterizedModule[] {
    const modules: ParameterizedModule[] = [];
    this.specs.forEach((spec, i) => {
      let m = modules[modules.length - 1];
      if (!m || m.name !== spec.module) {
        m = { name: spec.module, className: spec.className, isNormalization: spec.className === 'LayerNorm', weights: [] };
        modules.push(m);
      }
      m.weights.push(this.weight(spec, this.variables[i]));
    });
    return modules;
  }

  tailActivationBytes(cut: CutPoint): number {
    const { dim, mlpDim, heads } = this.config;
    const t = this.tokens;
    // Per block: norms, q|k|v, scores, softmax, probe sum, attention output, projection, residuals, MLP (x2 for GELU).
    const perBlock = t * (8 * dim + 3 * dim + 3 * heads * t + 3 * mlpDim);
    const first = cut.position === 0 ? 0 : this.blockOf(cut) + 1;
    const embedding = cut.position === 0 ? 3 * t * dim : 0;
    return 4 * (embedding + (this.blocks - first) * perBlock + this.numClasses);
  }

  walk(): ModelWalk | null {
    return null;
  }

  attention(): AttentionModel {
    return this;
  }

  forward(input: tf.Tensor, o: AttentionRunOptions = {}): AttentionPass {
    return this.forwardFrom(0, embed(input, this.embedding(), this.config.patch), o);
  }

  tokensBefore(input: tf.Tensor, block: number): tf.Tensor {
    this.checkBlock(block, this.blocks);
    const e = this.encoder();
    return tf.tidy(() => {
      let x = embed(input, this.embedding(), this.config.patch);
      for (let b = 0; b < block; b++) x = blockForward(x, e.blocks[b], this.heads, e.gelu).tokens;
      return x;
    });
  }

  forwardFrom(block: number, tokens: tf.Tensor, o: AttentionRunOptions = {}): AttentionPass {
    this.checkBlock(block, this.blocks);
    const e = this.encoder();
    const attentions: tf.Tensor[] = [];
    let x = tokens;
    for (let b = block; b < this.blocks; b++) {
      const out = blockForward(x, e.blocks[b], this.heads, e.gelu, { replace: o.replace?.get(b), probe: o.probes?.get(b) });
      attentions.push(out.attention);
      x = out.tokens;
    }
    return { logits: headLogits(x, e), attentions };
  }

  encoder(): EncoderWeights {
    const v = (name: string) => this.variables[this.index(name)];
    const dense = (m: string) => ({ kernel: v(`${m}.weight`) as tf.Tensor2D, bias: v(`${m}.bias`) as tf.Tensor1D });
    const norm = (m: string) => ({ gamma: v(`${m}.weight`) as tf.Tensor1D, beta: v(`${m}.bias`) as tf.Tensor1D, eps: this.config.layerNormEps });
    return {
      blocks: Array.from({ length: this.blocks }, (_, b) => {
        const p = `blocks.${b}`;
        return { norm1: norm(`${p}.norm1`), qkv: dense(`${p}.attn.qkv`), proj: dense(`${p}.attn.proj`), norm2: norm(`${p}.norm2`),
          fc1: dense(`${p}.mlp.fc1`), fc2: dense(`${p}.mlp.fc2`) };
      }),
      norm: norm('norm'),
      head: dense('head'),
      gelu: 'erf',
    };
  }

  embedding(): EmbeddingWeights {
    const v = (name: string) => this.variables[this.index(name)];
    return { patch: { kernel: v('patch_embed.proj.weight') as tf.Tensor2D, bias: v('patch_embed.proj.bias') as tf.Tensor1D }, cls: v('cls_token'), pos: v('pos_embed') };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }

  /** The block whose output a cut point is. */
  blockOf(cut: CutPoint): number {
    const b = Number(cut.name.slice(BLOCK_CUT_PREFIX.length));
    if (!cut.name.startsWith(BLOCK_CUT_PREFIX) || !Number.isInteger(b) || b < 0 || b >= this.blocks) {
      throw new Error(`cut point ${cut.name} is not a block output of this ViT`);
    }
    return b;
  }

  private readonly indexByName = new Map<string, number>();

  private index(name: string): number {
    if (this.indexByName.size === 0) this.specs.forEach((s, i) => this.indexByName.set(s.name, i));
    const i = this.indexByName.get(name);
    if (i === undefined) throw new Error(`no weight ${name}`);
    return i;
  }

  private checkBlock(block: number, max: number): void {
    if (!Number.isInteger(block) || block < 0 || block > max) throw new Error(`block ${block} is out of range 0..${max}`);
  }

  private weight(spec: VitWeightSpec, v: tf.Variable): ModelWeight {
    return {
      role: spec.role,
      isStatistic: false,
      read: () => v,
      write: (value) => void v.assign(value),
      fresh: (seed) => initialValue(spec, seed),
    };
  }

  /** sha256 of the configuration and every weight's bytes (a model built in memory has no files). */
  private weightsHash(): string {
    const h = createHash('sha256').update(JSON.stringify(this.config));
    for (const v of this.variables) h.update(new Uint8Array((v.dataSync() as Float32Array).buffer));
    return h.digest('hex');
  }
}
