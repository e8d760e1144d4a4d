// The shape of a built-in ViT (Dosovitskiy et al. 2021, timm's VisionTransformer): non-overlapping patches, a [CLS]
// token, learned position embeddings, pre-norm encoder blocks with a GELU MLP, a final LayerNorm and a linear head on
// [CLS]. Stored in model.json, so any configuration loads; `vit-tiny` is the default one `dixw train` builds.
import { UserError } from '../../errors';

export interface VitConfig {
  /** [height, width, channels] */
  inputShape: [number, number, number];
  patch: number;
  dim: number;
  depth: number;
  heads: number;
  /** Hidden width of each block's MLP. */
  mlpDim: number;
  numClasses: number;
  /** LayerNorm epsilon (timm and torchvision ViTs: 1e-6). */
  layerNormEps: number;
}

/** vit-tiny: patch 4, 4 blocks of width 64 with 4 heads, MLP ratio 2. `width` scales the width (heads stay 4). */
export function vitTinyConfig(inputShape: [number, number, number], numClasses: number, width = 1): VitConfig {
  const heads = 4;
  const headDim = Math.max(1, Math.round(16 * width));
  const dim = heads * headDim;
  return checkVitConfig({ inputShape, patch: 4, dim, depth: 4, heads, mlpDim: 2 * dim, numClasses, layerNormEps: 1e-6 });
}

export function checkVitConfig(c: VitConfig): VitConfig {
  const [h, w, ch] = c.inputShape;
  if (![h, w, ch, c.patch, c.dim, c.depth, c.heads, c.mlpDim, c.numClasses].every((v) => Number.isInteger(v) && v > 0)) {
    throw new UserError(`Invalid ViT configuration ${JSON.stringify(c)}.`, 'Every size must be a positive integer.');
  }
  if (ch !== 1 && ch !== 3) throw new UserError(`A ViT input needs 1 or 3 channels (got ${ch}).`, 'Give --input HxWx1 or HxWx3.');
  if (h % c.patch !== 0 || w % c.patch !== 0) {
    throw new UserError(`The input ${h}x${w} is not divisible into ${c.patch}x${c.patch} patches.`,
      `Give an input size that is a multiple of ${c.patch}, e.g. --input ${Math.max(c.patch, Math.round(h / c.patch) * c.patch)}x${Math.max(c.patch, Math.round(w / c.patch) * c.patch)}x${ch}.`);
  }
  if (c.dim % c.heads !== 0) throw new UserError(`The ViT width ${c.dim} is not divisible by its ${c.heads} heads.`);
  return c;
}

/** [rows, cols] of the patch grid. */
export function patchGrid(c: VitConfig): [number, number] {
  return [c.inputShape[0] / c.patch, c.inputShape[1] / c.patch];
}

/** Tokens per image, [CLS] included. */
export function tokenCount(c: VitConfig): number {
  const [r, q] = patchGrid(c);
  return r * q + 1;
}
