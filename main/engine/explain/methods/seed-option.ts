// The seed of a method's randomness (SmoothGrad's noise): a job-level option, not one of a method's declared
// parameters (shared/method-catalogue.ts), since it also seeds SIC/AIC and the bootstrap; checked here.
import { UserError } from '../../errors';

export function seedOf(methodId: string, v: number | undefined): number {
  const x = v ?? 0;
  if (!(Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) throw new UserError(`${methodId}: seed must be an integer from 0 to 2^32 - 1 (got ${v}).`);
  return x;
}
