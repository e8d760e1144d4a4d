// GAE, generic attention explainability (Chefer, Gur & Wolf, ICCV 2021; their ViT notebook in
// Transformer-MM-Explainability, docs/methods.md §2.5): from one forward and backward pass, per block
// Ā_b = mean over heads of relu(dA_b ⊙ A_b); R = I, then R <- R + Ā_b R for every block in order, with no row
// normalization; the [CLS] row without its first element on the patch grid, bilinearly resized.
import type { ExplanationMethod } from '../method';
import { clsRow, gaeRelevance, positiveHeadMean, tokenMapToInput } from './vit-attention-math';
import { attentionGradients } from './vit-attention-pass';
import { requireAttention } from './vit-blocks';

export type GaeParams = Record<string, never>;

export const gae: ExplanationMethod<GaeParams> = {
  id: 'gae',
  version: 1,
  resolveParams(vm) {
    requireAttention(vm, 'gae');
    return {};
  },
  cutPoints: () => [],
  explain(ctx) {
    const am = requireAttention(ctx.vm, 'gae');
    const blocks = Array.from({ length: am.blocks }, (_, b) => b);
    const { attentions, gradients } = attentionGradients((o) => am.forward(ctx.input, o), blocks,
      [1, am.heads, am.tokens, am.tokens], ctx.targetClass);
    const r = gaeRelevance(attentions.map((a, b) => positiveHeadMean(a, gradients[b])));
    return tokenMapToInput(clsRow(r), am.grid, ctx.height, ctx.width);
  },
};
