// DIX2-MUL: ablation: the product m^L ⊙ m^{L-1} instead of the mean (paper Sec. 3 and 5.4).
import { dixMethod } from './dix-base';

export const dix2Mul = dixMethod({
  id: 'dix2-mul',
  integrand: 'activation-times-gradient',
  aggregate: 'product',
});
