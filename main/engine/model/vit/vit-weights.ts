// Every weight of a built-in ViT by name (timm's names), in topological order, with its module, shape and
// initializer. Kernels are stored [in, out] (PyTorch's Linear weight transposed); the patch embedding's kernel is
// [patch * patch * channels, dim] with rows in (patch row, patch column, channel) order, i.e. PyTorch's Conv2d weight
// [dim, channels, p, p] permuted to (p, p, channels, dim) and flattened.
// Initializers are PyTorch's defaults (docs/methods.md §5.2: a randomization test re-initializes each module with its own): Linear and Conv2d
// weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)), LayerNorm 1 and 0, and for
// the [CLS] token and position embeddings N(0, 0.02) as timm draws them.
import { tf } from '../../tf';
import { weightSeed } from '../../sanity/weight-seed';
import type { VitConfig } from './vit-config';
import { tokenCount } from './vit-config';

export type VitInit = { kind: 'uniform'; fanIn: number } | { kind: 'ones' } | { kind: 'zeros' } | { kind: 'normal'; std: number };

export interface VitWeightSpec {
  /** Full name, e.g. 'blocks.0.attn.qkv.weight'. */
  name: string;
  /** The module it belongs to, e.g. 'blocks.0.attn.qkv' (a randomization step). */
  module: string;
  /** 'weight', 'bias', 'cls_token', 'pos_embed'. */
  role: string;
  className: 'PatchEmbedding' | 'TokenEmbeddings' | 'LayerNorm' | 'Linear';
  shape: number[];
  init: VitInit;
}

function linear(module: string, fanIn: number, out: number): VitWeightSpec[] {
  const init: VitInit = { kind: 'uniform', fanIn };
  return [
    { name: `${module}.weight`, module, role: 'weight', className: 'Linear', shape: [fanIn, out], init },
    { name: `${module}.bias`, module, role: 'bias', className: 'Linear', shape: [out], init },
  ];
}

function layerNorm(module: string, dim: number): VitWeightSpec[] {
  return [
    { name: `${module}.weight`, module, role: 'weight', className: 'LayerNorm', shape: [dim], init: { kind: 'ones' } },
    { name: `${module}.bias`, module, role: 'bias', className: 'LayerNorm', shape: [dim], init: { kind: 'zeros' } },
  ];
}

export function vitWeightSpecs(c: VitConfig): VitWeightSpec[] {
  const d = c.dim;
  const patchIn = c.patch * c.patch * c.inputShape[2];
  const specs: VitWeightSpec[] = [
    ...linear('patch_embed.proj', patchIn, d).map((s) => ({ ...s, className: 'PatchEmbedding' as const })),
    { name: 'cls_token', module: 'embeddings', role: 'cls_token', className: 'TokenEmbeddings', shape: [1, 1, d], init: { kind: 'normal', std: 0.02 } },
    { name: 'pos_embed', module: 'embeddings', role: 'pos_embed', className: 'TokenEmbeddings', shape: [1, tokenCount(c), d], init: { kind: 'normal', std: 0.02 } },
  ];
  for (let b = 0; b < c.depth; b++) {
    const p = `blocks.${b}`;
    specs.push(...layerNorm(`${p}.norm1`, d), ...linear(`${p}.attn.qkv`, d, 3 * d), ...linear(`${p}.attn.proj`, d, d),
      ...layerNorm(`${p}.norm2`, d), ...linear(`${p}.mlp.fc1`, d, c.mlpDim), ...linear(`${p}.mlp.fc2`, c.mlpDim, d));
  }
  specs.push(...layerNorm('norm', d), ...linear('head', d, c.numClasses));
  return specs;
}

/** Fresh values of one weight (caller owns the tensor); the same seed gives the same values. */
export function initialValue(spec: VitWeightSpec, seed: number): tf.Tensor {
  const s = weightSeed(seed, spec.module, spec.role);
  const i = spec.init;
  switch (i.kind) {
    case 'uniform': {
      const bound = 1 / Math.sqrt(i.fanIn);
      return tf.randomUniform(spec.shape, -bound, bound, 'float32', s);
    }
    case 'normal':
      return tf.randomNormal(spec.shape, 0, i.std, 'float32', s);
    case 'ones':
      return tf.ones(spec.shape);
    case 'zeros':
      return tf.zeros(spec.shape);
  }
}
