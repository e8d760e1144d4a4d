// The one model interface the engine works against (DESIGN "Models: one interface, several kinds"). Methods, sanity
// sessions, metrics and jobs see only this; the kinds behind it are TF.js LayersModel folders
// (layers-vision-model.ts) and ONNX graphs exported from PyTorch (onnx/onnx-vision-model.ts). Every tensor that
// goes in or comes out is channels-last: images [B, H, W, C], feature maps [B, h, w, c].
import type { tf } from '../tf';
import type { Preprocessing } from '../../../shared/preprocessing';

export type ModelKind = 'layers' | 'onnx' | 'vit';

/** A tensor x^l such that the rest of the network f^l depends on it alone (docs/methods.md §1.1). */
export interface CutPoint {
  /** The layer name (LayersModel) or the PyTorch module path (ONNX), as the user names it with --layers. */
  name: string;
  /** Shape without the batch axis, channels last: [h, w, c] for a feature map, [d] for a flat one. */
  shape: number[];
  /** Position in the model's topological order; 0 is the model input. */
  position: number;
  /** True for stage/block outputs, the cut points DIX and the CAM methods use by default. */
  isBlockOutput: boolean;
  /** What computes it: a Keras class name ('Conv2D') or an ONNX op type ('Relu'). */
  className: string;
  /** Other names of the same tensor (ONNX: nested modules that share one output, e.g. `layer4.1` for `layer4`). */
  aliases?: string[];
}

/** One weight a randomization test may re-initialize. */
export interface ModelWeight {
  /** The weight's role within its module: 'kernel', 'bias', 'gamma', 'moving_mean' (Keras), 'weight', 'running_var' (PyTorch). */
  role: string;
  /** Batch norm's moving mean and variance: statistics of the training data, not learned parameters. */
  isStatistic: boolean;
  /** The current value (owned by the model: do not dispose). */
  read(): tf.Tensor;
  /** Makes `value` the weight from now on. The caller keeps ownership of `value`: the model holds its own reference. */
  write(value: tf.Tensor): void;
  /**
   * A new tensor (the caller owns it) of freshly initialized values, drawn from the module's own initializer (Keras:
   * the layer config's; ONNX: PyTorch's default for the op), seeded by `seed` alone: the same seed, the same values.
   */
  fresh(seed: number): tf.Tensor;
}

/** A layer or module that holds weights: one step of a cascading or independent randomization test. */
export interface ParameterizedModule {
  name: string;
  className: string;
  isNormalization: boolean;
  weights: ModelWeight[];
}

/** One step of a layer-by-layer walk (FullGrad's bias probes, LIFT-CAM's DeepLIFT rules). */
export interface WalkStep {
  name: string;
  className: string;
  /** Ids of the values this step reads and writes (ModelWalk's namespace). */
  inputs: string[];
  output: string;
  /** Output shape without the batch axis, channels last. */
  outputShape: number[];
  /**
   * How DeepLIFT's Rescale rule treats the whole step: 'affine' passes multipliers on as its weights, 'elementwise'
   * is a nonlinearity applied per element (its affine part is the identity), 'max' passes them on by its gradient,
   * 'other' has no rule.
   */
  rule: 'affine' | 'elementwise' | 'max' | 'other';
  /** The step's output before its elementwise nonlinearity (the whole output when it has none). */
  affine(inputs: tf.Tensor[]): tf.Tensor;
  /** The elementwise nonlinearity applied after affine(), or null. */
  nonlinearity: ((z: tf.Tensor) => tf.Tensor) | null;
  /** The additive bias per output channel of affine() (batch norm: its folded bias), or null when it has none. */
  bias(): tf.Tensor1D | null;
}

export interface ModelWalk {
  /** Steps in topological order. */
  steps: WalkStep[];
  /** Value ids of the model input and its logits output. */
  input: string;
  output: string;
  /** The value id of a cut point. */
  valueOf(cut: CutPoint): string;
  /**
   * Evaluates every step reachable from `feeds` and returns the value `fetch`. `hook` may compute a step itself
   * (return a tensor) or leave it to the model (return null).
   */
  run(feeds: Map<string, tf.Tensor>, fetch: string, hook?: (step: WalkStep, inputs: tf.Tensor[]) => tf.Tensor | null): tf.Tensor;
}

/** What to change in a ViT forward pass: per block index, an attention to use instead of the computed one, or a probe. */
export interface AttentionRunOptions {
  /**
   * Block index -> the post-softmax attention [B, heads, T, T] used in that block instead of the computed one (DIX's
   * interpolated attention t A^l). Gradients flow into it.
   */
  replace?: Map<number, tf.Tensor>;
  /**
   * Block index -> a tensor added to the attention actually used (normally zeros): tf.grads w.r.t. the probes gives
   * dA_b, the gradient of the output w.r.t. each block's attention, in the same backward pass.
   */
  probes?: Map<number, tf.Tensor>;
}

export interface AttentionPass {
  logits: tf.Tensor2D;
  /** Per block from the first one run: the attention actually used [B, heads, T, T] (replaced or computed, before probes). */
  attentions: tf.Tensor[];
}

/**
 * A Vision Transformer's attention points (docs/methods.md §2.1): per encoder block, the post-softmax attention of all heads,
 * readable and replaceable in the forward pass. Token 0 is [CLS]; tokens 1.. are the patches in row-major order.
 */
export interface AttentionModel {
  blocks: number;
  heads: number;
  /** Tokens per image, [CLS] included. */
  tokens: number;
  /** The patch grid [rows, cols]; rows * cols = tokens - 1. */
  grid: [number, number];
  /** The whole forward pass from preprocessed images [B, H, W, C]. */
  forward(input: tf.Tensor, o?: AttentionRunOptions): AttentionPass;
  /** The tokens entering block `block` ([B, T, D]; block 0 = after the embedding), computed once per image. */
  tokensBefore(input: tf.Tensor, block: number): tf.Tensor;
  /** The rest of the pass from the tokens entering `block`; `attentions` then starts at that block. */
  forwardFrom(block: number, tokens: tf.Tensor, o?: AttentionRunOptions): AttentionPass;
  /**
   * The encoder's weights, for methods that propagate relevance through every layer (T-Attr); absent (or null) when
   * the blocks are not the standard form below. Optional, so a kind without it still implements the interface.
   */
  encoder?(): EncoderWeights | null;
  /**
   * Why encoder() is null for a kind that reads the weights from its graph (ONNX): which piece of which block did not
   * match the standard pre-norm block, as a phrase; null when encoder() gives the weights or has not been asked yet.
   */
  readonly encoderProblem?: string | null;
}

/** y = x W + b, W: [in, out] (PyTorch's Linear weight transposed). */
export interface DenseWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D | null;
}

export interface NormWeights {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  eps: number;
}

/**
 * One pre-norm encoder block (timm's Block, torchvision's EncoderBlock): x = x + proj(attn(norm1(x))),
 * x = x + fc2(gelu(fc1(norm2(x)))). qkv's outputs are ordered (q|k|v, head, head dim), as timm's qkv Linear and
 * torchvision's in_proj; attention = softmax(q k^T / sqrt(head dim)).
 */
export interface EncoderBlockWeights {
  norm1: NormWeights;
  qkv: DenseWeights;
  proj: DenseWeights;
  norm2: NormWeights;
  fc1: DenseWeights;
  fc2: DenseWeights;
}

/** The blocks, then the final norm and a linear head on the [CLS] token. Tensors are the model's (do not dispose). */
export interface EncoderWeights {
  blocks: EncoderBlockWeights[];
  norm: NormWeights;
  head: DenseWeights;
  gelu: 'erf' | 'tanh';
}

export interface VisionModel {
  readonly kind: ModelKind;
  /** How an image becomes this model's input (size, crop, scaling, mean and std), stored with the model. */
  readonly preprocessing: Preprocessing;
  /** Every valid cut point in topological order; cuts[0] is the input (l = 0). */
  readonly cuts: CutPoint[];
  readonly numClasses: number;
  /** Content hash of the model files (or of the in-memory weights for a built model), for provenance. */
  readonly hash: string;
  /** Where it was loaded from, if from disk. */
  readonly path: string | null;
  countParams(): number;
  /** Logits [B, classes] for preprocessed inputs [B, H, W, C]. */
  predict(input: tf.Tensor): tf.Tensor2D;
  /** One forward pass from the input returning the activations at `cuts` (not the input itself) and the logits. */
  forwardWithActivations(input: tf.Tensor, cuts: CutPoint[]): { activations: tf.Tensor[]; logits: tf.Tensor2D };
  /** f^l: logits from a batch of activations at one cut point. Differentiable (tf.grad through it works). */
  tailLogits(cut: CutPoint, activation: tf.Tensor): tf.Tensor2D;
  /** Whether the model has a layer or module of this name at all (valid cut or not), for error messages. */
  hasLayer(name: string): boolean;
  /** The modules holding weights, in topological order (the randomization tests reverse it). */
  parameterizedModules(): ParameterizedModule[];
  /** Bytes of float32 activations one sample produces in f^l after `cut` (for choosing batch sizes from memory). */
  tailActivationBytes(cut: CutPoint): number;
  /** A layer-by-layer walk, for the methods that change what one layer computes; null when the kind has none. */
  walk(): ModelWalk | null;
  /** The attention points of a ViT; null for models that are not ViTs. */
  attention(): AttentionModel | null;
  /**
   * Why attention() is null although the model looks like a transformer (an ONNX graph with Softmax nodes whose
   * attention pattern was not recognised), as a sentence starting "its attention ..."; absent or null otherwise.
   */
  readonly attentionProblem?: string | null;
  dispose(): void;
}
