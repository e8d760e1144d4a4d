// DIX1: DIX at the last block output L (paper Sec. 3 and 5.4).
import { dixMethod } from './dix-base';

export const dix1 = dixMethod({
  id: 'dix1',
  integrand: 'activation-times-gradient',
  aggregate: 'mean',
});
