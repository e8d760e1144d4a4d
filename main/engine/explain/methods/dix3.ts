// DIX3: DIX averaged over the last three block outputs {L-2, L-1, L} (paper Sec. 3 and 5.4).
import { dixMethod } from './dix-base';

export const dix3 = dixMethod({
  id: 'dix3',
  integrand: 'activation-times-gradient',
  aggregate: 'mean',
});
