// Methods defined for CNN feature maps that have no ViT form here: refused on a ViT before any image is read.
import { UserError } from '../../errors';
import type { ExplanationMethod } from '../method';

export function refusedOnVit<P extends Record<string, unknown>>(m: ExplanationMethod<P>, why: string): ExplanationMethod<P> {
  return {
    ...m,
    resolveParams(vm, o) {
      if (vm.attention()) throw new UserError(`${m.id} does not apply to Vision Transformers: ${why}.`, 'For a ViT use dix3, gae, tattr, rollout, gradcam or ig.');
      return m.resolveParams(vm, o);
    },
  };
}
