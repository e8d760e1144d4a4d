// DIX for ViTs (paper Sec. 3.1, docs/methods.md §2.2-2.3). The layer l is an encoder block; its interpolant is the attention
// itself, r^l(t) = t A^l (zero baseline, not re-normalized), used in place of block l's attention. The integrand is
// Gradient Rollout (GR) of that pass:
//   Ā_b = mean over heads of relu(A_b ⊙ dA_b),  Â_b = (Ā_b + I) / rowsum,  R = Â_B ⋯ Â_1,  GR = R[CLS, 1:]
// with A_b the attention actually used (t A^l at block l) and dA_b = d f_k / d A_b; DIX3-GRADS uses relu(dA_b).
//   m^l = psi( (1/N) sum_{n=1..N} GR(t = n/N) ),  psi = the patch grid bilinearly resized to the input.
// The N interpolants go through the blocks in batches from tokens computed once per image. Which blocks the product
// spans is `rolloutBlocks`: 'all' (docs/methods.md §2.2: every block b, so the pass runs from the embedding, because the blocks
// before l have gradients that depend on t too), or 'from-layer' (only blocks l..B, the pass starts at block l's
// input tokens; cheaper, an approximation).
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { VisionModel } from '../../model/vision-model';
import type { ImageContext } from '../image-context';
import type { MethodOptions } from '../method';
import { batchFor, type RunSettings } from '../run-settings';
import type { DixConfig, DixParams } from './dix-base';
import { DixParamsSchema } from '../../../../shared/method-catalogue';
import { declaredParams } from './params';
import { clsRow, positiveHeadMean, rollout, tokenMapToInput } from './vit-attention-math';
import { attentionGradients } from './vit-attention-pass';
import { blockCuts, blockIndex } from './vit-blocks';

export const ROLLOUT_BLOCKS = ['all', 'from-layer'] as const;

export type VitDixParams = DixParams & { rolloutBlocks: (typeof ROLLOUT_BLOCKS)[number] };

export function resolveVitDixParams(v: DixConfig, vm: VisionModel, o: MethodOptions): VitDixParams {
  const am = vm.attention()!;
  const cuts = blockCuts(vm, am);
  let layers: string[];
  if (o.layers && o.layers.length > 0) {
    layers = o.layers.map((name) => cuts[blockIndex(vm, am, name, v.id)].name);
  } else {
    if (cuts.length < v.layerCount) throw new UserError(`${v.id} needs ${v.layerCount} encoder blocks; the ViT has ${cuts.length}.`, 'Name blocks with --layers, or use dix1.');
    layers = cuts.slice(cuts.length - v.layerCount).map((c) => c.name);
  }
  if (o.baseline !== undefined && o.baseline !== 'zero') {
    throw new UserError(`${v.id} on a ViT interpolates the attention from zero; the baseline "${o.baseline}" is for CNNs.`, 'Leave --baseline out (or give zero).');
  }
  const d = declaredParams(v.id, DixParamsSchema, { ...o, baseline: undefined });
  return {
    layers,
    steps: d.steps,
    baseline: 'zero',
    integrand: v.integrand,
    aggregate: v.aggregate,
    normalizeLayers: d.normalizeLayers,
    rolloutBlocks: 'all',
  };
}

/** m^l for the block whose output cut is `layer`, [H, W]. */
export function vitDixLayerMap(ctx: ImageContext, layer: string, p: VitDixParams, settings: RunSettings): tf.Tensor2D {
  const am = ctx.vm.attention()!;
  const cuts = blockCuts(ctx.vm, am);
  const l = blockIndex(ctx.vm, am, layer, 'dix');
  const first = p.rolloutBlocks === 'all' ? 0 : l;
  const attention = am.forwardFrom(l, am.tokensBefore(ctx.input, l)).attentions[0]; // A^l, [1, heads, T, T]
  const tokens = am.tokensBefore(ctx.input, first);
  const blocks = Array.from({ length: am.blocks - first }, (_, i) => first + i);
  const n = p.steps;
  const batch = batchFor(ctx.vm, first === 0 ? ctx.vm.cuts[0] : cuts[first - 1], n, settings);
  let total: tf.Tensor = tf.zeros([am.tokens - 1]);
  for (let start = 1; start <= n; start += batch) {
    const count = Math.min(batch, n - start + 1);
    const next = tf.tidy(() => {
      const t = tf.reshape(tf.div(tf.range(start, start + count, 1, 'float32'), n), [count, 1, 1, 1]);
      const replace = new Map([[l, tf.mul(t, attention)]]);
      const tiled = tf.tile(tokens, [count, 1, 1]);
      const { attentions, gradients } = attentionGradients((o) => am.forwardFrom(first, tiled, { ...o, replace }), blocks,
        [count, am.heads, am.tokens, am.tokens], ctx.targetClass);
      const matrices = attentions.map((a, i) => (p.integrand === 'gradient'
        ? tf.mean(tf.relu(gradients[i]), 1) as tf.Tensor3D
        : positiveHeadMean(a, gradients[i])));
      const gr = clsRow(rollout(matrices, { normalizeRows: true, startBlock: 0 }));
      return tf.add(total, tf.sum(gr, 0));
    });
    total.dispose();
    total = next;
  }
  return tokenMapToInput(tf.div(total, n), am.grid, ctx.height, ctx.width);
}
