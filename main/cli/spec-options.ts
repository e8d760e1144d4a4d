// Turning command-line options into job spec fields.
import type { KeepMaps } from '../../shared/job-spec';
import { UserError } from '../engine/errors';

/** --keep-maps N|all|none. */
export function keepMapsOption(x: unknown): KeepMaps | undefined {
  if (x === undefined) return undefined;
  if (x === 'all' || x === 'none') return x;
  if (typeof x === 'string' && /^\d+$/.test(x) && Number.isSafeInteger(Number(x))) return Number(x);
  throw new UserError(`--keep-maps must be a number of images, "all" or "none" (got "${String(x)}").`);
}

/** Absent options are left out of the spec (recursively), so the spec's defaults apply. */
export function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) {
    if (val === undefined) continue;
    out[k] = val !== null && typeof val === 'object' && !Array.isArray(val) ? withoutUndefined(val as Record<string, unknown>) : val;
  }
  return out as Partial<T>;
}
