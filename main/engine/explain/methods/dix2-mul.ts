// DIX2-MUL: ablation: the product m^L ⊙ m^{L-1} instead of the mean (paper Sec. 3 and 5.4).
import { dixMethod } from './dix-base';

export const dix2Mul = dixMethod({
  id: 'dix2-mul',
  title: 'DIX2-MUL',
  summary: 'ablation: the product m^L ⊙ m^{L-1} instead of the mean',
  layerCount: 2,
  integrand: 'activation-times-gradient',
  aggregate: 'product',
});
