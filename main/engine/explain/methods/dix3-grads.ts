// DIX3-GRADS: ablation: DIX3 with phi = g (integrated gradients at each layer) (paper Sec. 3 and 5.4).
import { dixMethod } from './dix-base';

export const dix3Grads = dixMethod({
  id: 'dix3-grads',
  integrand: 'gradient',
  aggregate: 'mean',
});
