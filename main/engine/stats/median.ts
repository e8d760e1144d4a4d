// The median (mean of the two middle values for an even count, as np.median); NaN for no values. Uses selection, not
// a full sort, since bootstrapped median curves take many medians.
import { selectKth } from './select-kth';

export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = Float64Array.from(values);
  const hi = selectKth(a, n >> 1);
  if (n % 2) return hi;
  // After selecting rank n/2, every value before it is <= it: the lower middle is their maximum.
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}
