// Attention Rollout (Abnar & Zuidema 2020; docs/methods.md §2.4): per block the mean over heads of the attention, the identity
// added for the residual connection and the rows normalized, multiplied over the blocks (later blocks on the left);
// the [CLS] row without its first element on the patch grid, bilinearly resized. Class-agnostic: no gradients.
// Every block by default, as Abnar & Zuidema and docs/methods.md §2.4; Chefer et al.'s evaluation scripts start at block 1.
import type { ExplanationMethod } from '../method';
import { clsRow, headMean, rollout as rolloutProduct, tokenMapToInput } from './vit-attention-math';
import { requireAttention } from './vit-blocks';

export type RolloutParams = { startBlock: number; normalizeRows: boolean };

export const rollout: ExplanationMethod<RolloutParams> = {
  id: 'rollout',
  version: 1,
  resolveParams(vm) {
    requireAttention(vm, 'rollout');
    return { startBlock: 0, normalizeRows: true };
  },
  cutPoints: () => [],
  explain(ctx, p) {
    const am = requireAttention(ctx.vm, 'rollout');
    const { attentions } = am.forward(ctx.input);
    const r = rolloutProduct(attentions.map(headMean), { normalizeRows: p.normalizeRows, startBlock: p.startBlock });
    return tokenMapToInput(clsRow(r), am.grid, ctx.height, ctx.width);
  },
};
