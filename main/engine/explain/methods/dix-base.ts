// DIX for CNNs (paper Sec. 3, Eq. 5; docs/methods.md §1.2-1.4). Per cut point l in S:
//   m^l = psi( (x^l - z^l)/N ⊙ sum_{n=1..N} phi(r^l(n/N), g^l(n/N)) ),   z^l = per-channel spatial minimum,
// psi = channel mean then bilinear resize to the input, and m_DIX = mean over S of m^l (or their product for the
// DIX2-MUL ablation). DIX1/2/3, DIX2-MUL and DIX3-GRADS are configurations of this one function.
import { tf } from '../../tf';
import { batchFor, type RunSettings } from '../run-settings';
import type { VisionModel } from '../../model/vision-model';
import type { ExplanationMethod, MethodOptions } from '../method';
import type { ImageContext } from '../image-context';
import { minMax, psi } from '../map-ops';
import { channelMinBaseline, completenessGap, pathIntegral, type Integrand } from '../path-integral';
import { DixParamsSchema, methodInfo, type DIX_BASELINES } from '../../../../shared/method-catalogue';
import { cutsByName, declaredParams, layerNames } from './params';
import { resolveVitDixParams, vitDixLayerMap, type VitDixParams } from './vit-dix';

export type DixParams = {
  layers: string[];
  steps: number;
  baseline: (typeof DIX_BASELINES)[number];
  integrand: Integrand;
  aggregate: 'mean' | 'product';
  normalizeLayers: boolean;
};

/** A DIX configuration (its name, summary and parameters are in shared/method-catalogue.ts). */
export interface DixVariant {
  id: string;
  integrand: Integrand;
  aggregate: 'mean' | 'product';
}

/** A variant with the number of cut points it takes by default (declared in the catalogue). */
export type DixConfig = DixVariant & { layerCount: number };

/** m^l for one cut point, [H, W]. */
export function dixLayerMap(ctx: ImageContext, layer: string, p: DixParams, settings: RunSettings = {}): tf.Tensor2D {
  if (ctx.vm.attention()) return vitDixLayerMap(ctx, layer, p as VitDixParams, settings); // a ViT: docs/methods.md §2.2
  const cut = cutsByName(ctx.vm, [layer])[0];
  const x = ctx.activation(cut);
  const z = p.baseline === 'zero' ? tf.zerosLike(x) : channelMinBaseline(x);
  const a = pathIntegral({ model: ctx.vm, cut, activation: x, baseline: z, targetClass: ctx.targetClass,
    steps: p.steps, integrand: p.integrand, batchSize: batchFor(ctx.vm, cut, p.steps, settings) });
  // With phi = g the attribution is complete up to the Riemann error: note the gap (with phi = r ⊙ g there is no identity).
  if (p.integrand === 'gradient') ctx.noteCompleteness(completenessGap(ctx.vm, cut, a, z, ctx.targetLogit, ctx.targetClass, cut.name));
  return psi(a as tf.Tensor4D, ctx.height, ctx.width);
}

export function dixMethod(variant: DixVariant): ExplanationMethod<DixParams> {
  const v: DixConfig = { ...variant, layerCount: methodInfo(variant.id)?.layerCount ?? 1 };
  return {
    id: v.id,
    version: 1,
    resolveParams(vm: VisionModel, o: MethodOptions): DixParams {
      if (vm.attention()) return resolveVitDixParams(v, vm, o);
      const d = declaredParams(v.id, DixParamsSchema, o);
      return {
        layers: layerNames(vm, o, v.layerCount, v.id),
        steps: d.steps,
        baseline: d.baseline,
        integrand: v.integrand,
        aggregate: v.aggregate,
        normalizeLayers: d.normalizeLayers,
      };
    },
    cutPoints: (vm, p) => cutsByName(vm, p.layers),
    explain(ctx, p, settings) {
      const maps = p.layers.map((l) => {
        const m = dixLayerMap(ctx, l, p, settings);
        return p.normalizeLayers ? minMax(m) : m;
      });
      if (maps.length === 1) return maps[0];
      if (p.aggregate === 'product') return maps.reduce((acc, m) => tf.mul(acc, m)) as tf.Tensor2D;
      return tf.div(tf.addN(maps), maps.length) as tf.Tensor2D;
    },
  };
}
