// T-Attr, Transformer Attribution (Chefer, Gur & Wolf, CVPR 2021), as their released code computes it
// (baselines/ViT/ViT_LRP.py, method "transformer_attribution", the settings of their evaluation scripts):
//   1. LRP relevance from the one-hot target through every layer (tattr-lrp.ts), keeping each block's attention
//      relevance R_A (heads x T x T);
//   2. per block Ā_b = mean over heads of relu(dA_b ⊙ R_A,b), dA_b the gradient of the target logit;
//   3. R = (Ā_B + I) ⋯ (Ā_s + I) from block s = 1 (start_layer=1: the first block is left out), the identity added
//      and the rows NOT normalized (compute_rollout_attention in ViT_LRP.py has the normalization commented out);
//   4. the [CLS] row without its first element on the patch grid, bilinearly resized.
// It needs the encoder's weights (AttentionModel.encoder(): the built-in ViT's own, or for an ONNX ViT those read
// from the graph by onnx-encoder-weights.ts), and checks that its own forward pass from them gives the model's
// logits before trusting them.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { AttentionModel, EncoderWeights, VisionModel } from '../../model/vision-model';
import type { ExplanationMethod } from '../method';
import { clsRow, positiveHeadMean, rollout, tokenMapToInput } from './vit-attention-math';
import { attentionGradients } from './vit-attention-pass';
import { requireAttention } from './vit-blocks';
import { encoderRelevance } from './tattr-lrp';

export type TattrParams = { startBlock: number; normalizeRows: boolean };

function requireEncoder(vm: VisionModel): { am: AttentionModel; encoder: EncoderWeights } {
  const am = requireAttention(vm, 'tattr');
  const encoder = am.encoder?.() ?? null;
  if (!encoder && vm.kind === 'onnx') {
    throw new UserError(`tattr propagates relevance through every layer, so it reads each encoder block's weights from the ONNX graph, and this graph's blocks are not the standard pre-norm ViT blocks it reads: ${am.encoderProblem ?? 'they were not matched'}.`,
      'tattr reads exports of torchvision\'s and timm\'s VisionTransformer (per block: LayerNorm, one packed qkv projection, attention, out projection, residual Add, LayerNorm, Linear, GELU, Linear, residual Add; then a final LayerNorm and a Linear head on [CLS]). For this model use gae, rollout or dix3, which read its attention points only.');
  }
  if (!encoder) {
    throw new UserError(`tattr propagates relevance through every layer, but this ${vm.kind} ViT does not expose its blocks as standard pre-norm encoder blocks.`,
      'Use gae, rollout or dix3 for this model.');
  }
  return { am, encoder };
}

export const tattr: ExplanationMethod<TattrParams> = {
  id: 'tattr',
  version: 1,
  resolveParams(vm) {
    const { am } = requireEncoder(vm);
    return { startBlock: Math.min(1, am.blocks - 1), normalizeRows: false };
  },
  cutPoints: () => [],
  explain(ctx, p) {
    const { am, encoder } = requireEncoder(ctx.vm);
    const tokens = am.tokensBefore(ctx.input, 0);
    const lrp = encoderRelevance(tf.reshape(tokens, tokens.shape.slice(1)), encoder, am.heads, ctx.targetClass);
    checkLogits(lrp.logits, ctx.logits);
    const blocks = Array.from({ length: am.blocks }, (_, b) => b);
    const { gradients } = attentionGradients((o) => am.forward(ctx.input, o), blocks, [1, am.heads, am.tokens, am.tokens], ctx.targetClass);
    const matrices = lrp.attention.map((r, b) => positiveHeadMean(tf.expandDims(r, 0), gradients[b]));
    const r = rollout(matrices, { normalizeRows: p.normalizeRows, startBlock: p.startBlock });
    return tokenMapToInput(clsRow(r), am.grid, ctx.height, ctx.width);
  },
};

/** The relevance pass's own logits must be the model's, or its weights do not describe the model. */
function checkLogits(own: tf.Tensor1D, model: tf.Tensor2D): void {
  const diff = tf.tidy(() => {
    const d = tf.max(tf.abs(tf.sub(own, tf.reshape(model, [-1]))));
    const scale = tf.maximum(tf.max(tf.abs(model)), 1);
    return tf.div(d, scale);
  });
  const rel = diff.dataSync()[0];
  diff.dispose();
  if (!(rel <= 1e-3)) {
    throw new UserError(`tattr: the forward pass from the model's encoder weights does not reproduce its logits (relative difference ${rel.toExponential(2)}).`,
      'The model\'s blocks are not standard pre-norm ViT blocks; use gae, rollout or dix3.');
  }
}
