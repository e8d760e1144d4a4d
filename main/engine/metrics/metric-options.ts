// Checking the generic metric options, with messages that name the option and the fix.
import { UserError } from '../errors';
import type { MetricOptions } from './metric';

export function numberInRange(name: string, v: number | undefined, fallback: number, lo: number, hi: number): number {
  const x = v ?? fallback;
  if (!(Number.isFinite(x) && x >= lo && x <= hi)) throw new UserError(`Metric option ${name} must be a number from ${lo} to ${hi} (got ${v}).`);
  return x;
}

export function aggregationOf(o: MetricOptions): 'median' | 'mean' {
  const v = o.aggregation ?? 'median';
  if (v !== 'median' && v !== 'mean') throw new UserError(`Unknown curve aggregation "${v}".`, 'Use median (PAIR\'s default) or mean.');
  return v;
}
