// Every explanation method as data: its id, name, one-line summary, capabilities and parameter schema. The engine's
// registry (main/engine/explain/registry.ts) has one implementation per entry and resolves its parameters through
// the schema here, so a default exists in one place; --help, the window's method pickers and job form, and the
// refusal of options no selected method reads are generated from it. Capabilities are declared, never inferred from
// a method's name.
import { z } from 'zod';
import { METHOD_OPTIONS as O, paramInfo, type MethodOptionKey, type ParamInfo } from './method-options';

/** dix: DIX and its ablations; cam: class activation maps at one cut point; path: integrated gradients along a path
 *  in input space; gradient: other input-gradient methods; attention: a ViT's attention maps. */
export const METHOD_FAMILIES = ['dix', 'cam', 'path', 'gradient', 'attention'] as const;
export type MethodFamily = (typeof METHOD_FAMILIES)[number];

/** How the window names each family over its methods. */
export const FAMILY_NAMES: Readonly<Record<MethodFamily, string>> = {
  dix: 'DIX', cam: 'CAM', path: 'Path integrals', gradient: 'Gradients', attention: 'Attention (ViTs)',
};

/** any: every model; cnn: models without attention points (refused on a ViT); vit: a ViT's attention points needed. */
export type ModelKinds = 'any' | 'cnn' | 'vit';

export interface MethodInfo {
  id: string;
  title: string;
  /** One line for --help and the window. */
  summary: string;
  family: MethodFamily;
  /** Takes any set S of cut points (DIX); the other layer methods take exactly one. */
  multiLayer: boolean;
  /** Cut points it reads by default, the last block outputs (0: it reads none). */
  layerCount: number;
  /** Reads the class gradient (false: forward passes or relevance rules only). */
  needsGradients: boolean;
  modelKinds: ModelKinds;
  /** Its parameters: a subset of METHOD_OPTIONS with this method's defaults and values. */
  params: z.ZodObject;
}

export const DIX_BASELINES = ['channel-min', 'zero'] as const;
export const IG_BASELINES = ['black', 'zero'] as const;

export const DixParamsSchema = z.object({
  layers: O.layers.optional().describe('cut points S (default: the last 1, 2 or 3 block outputs, by method)'),
  steps: O.steps.default(10),
  baseline: z.enum(DIX_BASELINES, { error: `must be one of ${DIX_BASELINES.join(', ')}` }).default('channel-min')
    .meta({ title: 'Baseline', description: 'z^l: per-channel spatial minimum, or zero (a ViT: always zero)' }),
  normalizeLayers: O.normalizeLayers.default(false),
});
export const CamParamsSchema = z.object({
  layers: O.layers.optional().describe('the one cut point (default: the last block output)'),
});
export const IgParamsSchema = z.object({
  steps: O.steps.default(10),
  baseline: z.enum(IG_BASELINES, { error: `must be one of ${IG_BASELINES.join(', ')}` }).default('black')
    .meta({ title: 'Baseline', description: 'the path\'s start: a black image, or zeros in model input space' }),
});
export const GuidedIgParamsSchema = z.object({
  steps: O.steps.default(200),
  fraction: O.fraction.default(0.25),
  maxDist: O.maxDist.default(0.02),
  baseline: IgParamsSchema.shape.baseline,
});
export const BlurIgParamsSchema = z.object({
  steps: O.steps.default(100),
  maxSigma: O.maxSigma.default(50),
  gradStep: O.gradStep.default(0.01),
});
export const SmoothGradParamsSchema = z.object({
  samples: O.samples.default(25),
  noise: O.noise.default(0.15),
});
const NoParams = z.object({});

const dix = (id: string, title: string, summary: string, layerCount: number): MethodInfo =>
  ({ id, title, summary, family: 'dix', multiLayer: true, layerCount, needsGradients: true, modelKinds: 'any', params: DixParamsSchema });
const cam = (id: string, title: string, summary: string, o: Partial<MethodInfo> = {}): MethodInfo =>
  ({ id, title, summary, family: 'cam', multiLayer: false, layerCount: 1, needsGradients: true, modelKinds: 'any', params: CamParamsSchema, ...o });
const other = (id: string, title: string, summary: string, family: MethodFamily, params: z.ZodObject, o: Partial<MethodInfo> = {}): MethodInfo =>
  ({ id, title, summary, family, multiLayer: false, layerCount: 0, needsGradients: true, modelKinds: 'any', params, ...o });

/** In the order --help and the window list them. */
export const METHOD_CATALOGUE: readonly MethodInfo[] = [
  dix('dix1', 'DIX1', 'DIX at the last block output L', 1),
  dix('dix2', 'DIX2', 'DIX averaged over the last two block outputs {L-1, L}', 2),
  dix('dix3', 'DIX3', 'DIX averaged over the last three block outputs {L-2, L-1, L}', 3),
  dix('dix2-mul', 'DIX2-MUL', 'ablation: the product m^L ⊙ m^{L-1} instead of the mean', 2),
  dix('dix3-grads', 'DIX3-GRADS', 'ablation: DIX3 with phi = g (integrated gradients at each layer)', 3),
  other('ig', 'Integrated Gradients', 'gradients integrated along the straight path from a black image to the input', 'path', IgParamsSchema),
  cam('gradcam', 'Grad-CAM', 'activations weighted by their spatially averaged gradients'),
  cam('gradcam++', 'Grad-CAM++', 'Grad-CAM with pixel-wise weighting of positive gradients'),
  cam('xgradcam', 'XGrad-CAM', 'activations weighted by activation-normalized gradients (axiom-based)'),
  cam('layercam', 'Layer-CAM', 'activations weighted position-wise by their positive gradients'),
  cam('ablationcam', 'Ablation-CAM', 'activations weighted by the relative score drop when each channel is zeroed',
    { needsGradients: false, modelKinds: 'cnn' }),
  cam('liftcam', 'LIFT-CAM', 'activations weighted by their DeepLIFT contributions (zero reference) to the class score',
    { needsGradients: false, modelKinds: 'cnn' }),
  other('fullgrad', 'FullGrad', 'input-gradient plus the bias-gradients of every convolution and batch norm layer', 'gradient', NoParams,
    { modelKinds: 'cnn' }),
  other('guided-ig', 'Guided IG', 'integrated gradients along an adaptive path that first moves the features with the smallest gradients',
    'path', GuidedIgParamsSchema),
  other('blur-ig', 'Blur IG', 'gradients integrated along a path of ever less blurred copies of the input', 'path', BlurIgParamsSchema),
  other('smoothgrad', 'SmoothGrad', 'gradients averaged over noisy copies of the input', 'gradient',
    SmoothGradParamsSchema),
  other('rollout', 'Attention Rollout', 'ViTs: head-averaged attention with the identity added, rows normalized, multiplied over the blocks', 'attention', NoParams,
    { needsGradients: false, modelKinds: 'vit' }),
  other('gae', 'GAE', 'ViTs: attention times its gradient (positive part, head mean) accumulated over the blocks as R += Ā R',
    'attention', NoParams, { modelKinds: 'vit' }),
  other('tattr', 'T-Attr', 'ViTs: LRP relevance of each attention map times its gradient (positive part, head mean), rolled out from block 1',
    'attention', NoParams, { modelKinds: 'vit' }),
];

export const CATALOGUE_METHOD_IDS: readonly string[] = METHOD_CATALOGUE.map((m) => m.id);

export function methodInfo(id: string): MethodInfo | undefined {
  return METHOD_CATALOGUE.find((m) => m.id === id);
}

/** A method's parameters as declared, in declaration order. */
export function methodParams(id: string): ParamInfo[] {
  const m = methodInfo(id);
  if (!m) return [];
  return Object.entries(m.params.shape).map(([key, schema]) => paramInfo(key, schema as z.ZodType));
}

/** Whether a method reads a method option. */
export function reads(id: string, key: MethodOptionKey): boolean {
  return Object.hasOwn(methodInfo(id)?.params.shape ?? {}, key);
}

/** The methods that read an option, in catalogue order. */
export function readersOf(key: MethodOptionKey): string[] {
  return METHOD_CATALOGUE.filter((m) => reads(m.id, key)).map((m) => m.id);
}

/** Whether a method can explain a model (with or without a ViT's attention points). */
export function appliesTo(info: MethodInfo, hasAttention: boolean): boolean {
  return info.modelKinds === 'any' || (info.modelKinds === 'vit') === hasAttention;
}
