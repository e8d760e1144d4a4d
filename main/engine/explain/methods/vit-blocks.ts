// How the methods find a ViT's parts through the model interface alone (any kind: the built-in ViT, ONNX ViTs):
// the attention points (VisionModel.attention()), the encoder blocks' output tokens as the cut points marked
// isBlockOutput (in order, one per block), and the patch tokens of a [1, T, D] cut as a [1, rows, cols, D] feature
// map for the CAM methods.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { AttentionModel, CutPoint, VisionModel } from '../../model/vision-model';

/** The model's attention points, or a UserError saying the method explains ViTs only. */
export function requireAttention(vm: VisionModel, methodId: string): AttentionModel {
  const am = vm.attention();
  if (!am && vm.attentionProblem) {
    throw new UserError(`${methodId} explains Vision Transformers, but this ${vm.kind} model cannot be explained as one: ${vm.attentionProblem}.`,
      'Export the ViT from torchvision or timm unchanged (torch.onnx.export, opset 14-17), or use gradcam or ig on this model.');
  }
  if (!am) {
    throw new UserError(`${methodId} explains Vision Transformers: it reads every block's attention, which this ${vm.kind} model (a CNN) does not have.`,
      'For a CNN use dix3, gradcam or ig.');
  }
  return am;
}

/** The cut points of the encoder blocks' outputs, one per block, in order. */
export function blockCuts(vm: VisionModel, am: AttentionModel): CutPoint[] {
  const cuts = vm.cuts.filter((c) => c.isBlockOutput);
  if (cuts.length !== am.blocks || cuts.some((c) => !isTokenCut(am, c))) {
    throw new Error(`the ViT lists ${cuts.length} block outputs for ${am.blocks} attention blocks; each block's output tokens must be one`);
  }
  return cuts;
}

/** A cut point holding all tokens, [T, D]. */
export function isTokenCut(am: AttentionModel, cut: CutPoint): boolean {
  return cut.shape.length === 2 && cut.shape[0] === am.tokens;
}

/** The block whose output `name` is (its index from 0), or a UserError listing the valid names. */
export function blockIndex(vm: VisionModel, am: AttentionModel, name: string, methodId: string): number {
  const cuts = blockCuts(vm, am);
  const i = cuts.findIndex((c) => c.name === name || c.aliases?.includes(name));
  if (i < 0) {
    throw new UserError(`${methodId}: "${name}" is not an encoder block of this ViT.`, `Name blocks by their outputs: ${cuts.map((c) => c.name).join(', ')}.`);
  }
  return i;
}

/** Tokens [1, T, D] of a ViT -> the patch tokens as a feature map [1, rows, cols, D]; other tensors unchanged. */
export function asFeatureMap(vm: VisionModel, t: tf.Tensor): tf.Tensor4D {
  const am = vm.attention();
  if (!am || t.rank !== 3) return t as tf.Tensor4D;
  const [n, tokens, d] = t.shape;
  return tf.reshape(tf.slice(t, [0, 1, 0], [n, tokens - 1, d]), [n, am.grid[0], am.grid[1], d]) as tf.Tensor4D;
}
