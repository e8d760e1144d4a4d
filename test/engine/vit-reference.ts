// A ViT forward pass written out in plain JavaScript (float64 loops over the weights read from the model), for the
// ViT tests to compare the TF.js model with: embedding, pre-norm blocks with an optionally given attention, head.
import { tf } from '../../main/engine/tf';
import { PreprocessingSchema } from '../../shared/preprocessing';
import { checkVitConfig } from '../../main/engine/model/vit/vit-config';
import { vitWeightSpecs } from '../../main/engine/model/vit/vit-weights';
import { ViTVisionModel } from '../../main/engine/model/vit/vit-vision-model';

export type Mat = number[][];

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

export function matmul(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

export function transpose(a: Mat): Mat {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/** The model's weights by name, as nested arrays ([in, out] for kernels). */
export function weightsOf(vm: ViTVisionModel): Map<string, { shape: number[]; data: number[] }> {
  return new Map(vm.specs.map((s, i) => [s.name, { shape: s.shape, data: Array.from(vm.variables[i].dataSync()) }]));
}

type W = ReturnType<typeof weightsOf>;

function kernel(w: W, name: string): Mat {
  const { shape, data } = w.get(name)!;
  return Array.from({ length: shape[0] }, (_, i) => data.slice(i * shape[1], (i + 1) * shape[1]));
}

function vec(w: W, name: string): number[] {
  return w.get(name)!.data;
}

function dense(x: Mat, w: W, m: string): Mat {
  const b = vec(w, `${m}.bias`);
  return matmul(x, kernel(w, `${m}.weight`)).map((row) => row.map((v, j) => v + b[j]));
}

function layerNorm(x: Mat, w: W, m: string, eps: number): Mat {
  const g = vec(w, `${m}.weight`);
  const b = vec(w, `${m}.bias`);
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * g[j] + b[j]);
  });
}

export function softmaxRows(a: Mat): Mat {
  return a.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((v) => v / s);
  });
}

export interface ReferencePass {
  logits: number[];
  /** Per block, per head, [T][T]. */
  attentions: Mat[][];
}

/** image: H x W x C channels-last values; replace: block -> per head [T][T] used instead of the softmax attention. */
export function referenceForward(vm: ViTVisionModel, image: number[], replace = new Map<number, Mat[]>()): ReferencePass {
  const c = vm.config;
  const w = weightsOf(vm);
  const [H, Wd, C] = c.inputShape;
  const p = c.patch;
  const [rows, cols] = [H / p, Wd / p];
  const patches: Mat = [];
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) {
    const v: number[] = [];
    for (let py = 0; py < p; py++) for (let px = 0; px < p; px++) for (let ch = 0; ch < C; ch++) v.push(image[((r * p + py) * Wd + q * p + px) * C + ch]);
    patches.push(v);
  }
  const pos = vec(w, 'pos_embed');
  const d = c.dim;
  let x: Mat = [vec(w, 'cls_token'), ...dense(patches, w, 'patch_embed.proj')].map((row, t) => row.map((v, j) => v + pos[t * d + j]));
  const dh = d / c.heads;
  const attentions: Mat[][] = [];
  for (let b = 0; b < c.depth; b++) {
    const m = `blocks.${b}`;
    const qkv = dense(layerNorm(x, w, `${m}.norm1`, c.layerNormEps), w, `${m}.attn.qkv`);
    const head = (part: number, h: number) => qkv.map((row) => row.slice(part * d + h * dh, part * d + (h + 1) * dh));
    const heads: Mat[] = [];
    const outs: Mat[] = [];
    for (let h = 0; h < c.heads; h++) {
      const scores = matmul(head(0, h), transpose(head(1, h))).map((row) => row.map((v) => v / Math.sqrt(dh)));
      const a = replace.get(b)?.[h] ?? softmaxRows(scores);
      heads.push(a);
      outs.push(matmul(a, head(2, h)));
    }
    attentions.push(heads);
    const merged = x.map((_, t) => outs.flatMap((o) => o[t]));
    const mid = dense(merged, w, `${m}.attn.proj`).map((row, t) => row.map((v, j) => v + x[t][j]));
    const hidden = dense(layerNorm(mid, w, `${m}.norm2`, c.layerNormEps), w, `${m}.mlp.fc1`).map((row) => row.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))));
    x = dense(hidden, w, `${m}.mlp.fc2`).map((row, t) => row.map((v, j) => v + mid[t][j]));
  }
  const logits = dense(layerNorm([x[0]], w, 'norm', c.layerNormEps), w, 'head')[0];
  return { logits, attentions };
}

/** A small seeded ViT whose weights are drawn wider than at initialization (N(0, 0.5) kernels, gammas around 1), so that its attention is far from uniform. */
export function makeTestVit(o: { seed: number; input?: [number, number, number]; patch?: number; dim?: number; depth?: number; heads?: number; classes?: number }): ViTVisionModel {
  const input = o.input ?? [8, 8, 3];
  const config = checkVitConfig({ inputShape: input, patch: o.patch ?? 2, dim: o.dim ?? 16, depth: o.depth ?? 3, heads: o.heads ?? 2,
    mlpDim: 2 * (o.dim ?? 16), numClasses: o.classes ?? 3, layerNormEps: 1e-6 });
  const prep = PreprocessingSchema.parse({ height: input[0], width: input[1], channels: input[2] });
  const values = vitWeightSpecs(config).map((s, i) => {
    const seed = o.seed * 1000 + i + 1;
    if (s.className === 'LayerNorm') return tf.add(s.role === 'weight' ? 1 : 0, tf.randomNormal(s.shape, 0, 0.2, 'float32', seed));
    return tf.randomNormal(s.shape, 0, s.role === 'bias' ? 0.1 : 0.5, 'float32', seed);
  });
  try {
    return new ViTVisionModel(config, prep, { values });
  } finally {
    for (const v of values) v.dispose();
  }
}
