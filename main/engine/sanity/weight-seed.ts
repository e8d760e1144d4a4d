// The seed of one weight's re-initialization in a randomization test, shared by every model kind: derived from
// (run seed, module name, weight role), so the same seed always gives the same weights whichever steps ran before,
// and no two weights share a random stream.
import { mixSeed } from '../data/rng';
import { hashName } from './hash-name';

/** Never 0: TF.js's random ops treat a 0 seed as "unseeded". */
export function weightSeed(seed: number, moduleName: string, role: string): number {
  return mixSeed(seed, hashName(moduleName), hashName(role)) || 1;
}
