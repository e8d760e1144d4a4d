// Checks for the baselines' numeric options (docs/methods.md §3.13) (seed, samples, noise, fraction, maxDist, maxSigma, gradStep in
// MethodOptions); each method reads the ones that apply to it and stores them resolved.
import { UserError } from '../../errors';

export function positiveNumber(methodId: string, name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!(Number.isFinite(x) && x > 0)) throw new UserError(`${methodId}: ${name} must be a positive number (got ${v}).`, `Give e.g. --${name} ${fallback}.`);
  return x;
}

/** A number in [lo, hi]. */
export function numberIn(methodId: string, name: string, v: number | undefined, fallback: number, lo: number, hi: number): number {
  const x = v ?? fallback;
  if (!(Number.isFinite(x) && x >= lo && x <= hi)) {
    throw new UserError(`${methodId}: ${name} must be a number from ${lo} to ${hi} (got ${v}).`, `Give e.g. --${name} ${fallback}.`);
  }
  return x;
}

export function seedOf(methodId: string, v: number | undefined): number {
  const x = v ?? 0;
  if (!(Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) throw new UserError(`${methodId}: seed must be an integer from 0 to 2^32 - 1 (got ${v}).`);
  return x;
}

/** Typed entry point for callers: the baseline options as the generic options object planMethods takes. */
