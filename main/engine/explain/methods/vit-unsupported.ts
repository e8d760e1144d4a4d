// Methods defined for CNN feature maps that have no ViT form here: refused on a ViT before any image is read.
import { appliesTo, METHOD_CATALOGUE } from '../../../../shared/method-catalogue';
import { UserError } from '../../errors';
import type { ExplanationMethod } from '../method';

export function refusedOnVit<P extends Record<string, unknown>>(m: ExplanationMethod<P>, why: string): ExplanationMethod<P> {
  return {
    ...m,
    resolveParams(vm, o) {
      if (vm.attention()) {
        const forVit = METHOD_CATALOGUE.filter((info) => appliesTo(info, true)).map((info) => info.id);
        throw new UserError(`${m.id} does not apply to Vision Transformers: ${why}.`, `For a ViT use one of: ${forVit.join(', ')}.`);
      }
      return m.resolveParams(vm, o);
    },
  };
}
