// DIX2: DIX averaged over the last two block outputs {L-1, L} (paper Sec. 3 and 5.4).
import { dixMethod } from './dix-base';

export const dix2 = dixMethod({
  id: 'dix2',
  integrand: 'activation-times-gradient',
  aggregate: 'mean',
});
