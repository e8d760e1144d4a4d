// Wilcoxon signed-rank test of paired samples, two-sided, as scipy.stats.wilcoxon (method 'auto', correction=False):
//  - d = x - y; zero differences are dropped before ranking ('wilcox', scipy's default) or ranked and then dropped
//    ('pratt', which keeps their ranks out of both sums but shifts the others' ranks);
//  - |d| is ranked with average ranks for ties; W+ and W- are the rank sums of positive and negative d; the statistic
//    is min(W+, W-);
//  - exact p-value when n <= 50 and there are neither ties nor zeros: 2 P(W <= statistic) under H0, from the exact
//    distribution of W+ (the number of subsets of {1..n} with each sum), capped at 1;
//  - otherwise the normal approximation: mean n(n+1)/4, variance n(n+1)(2n+1)/24 minus sum(t^3 - t)/48 over tie
//    groups (and, for 'pratt', the zeros' share removed), z = (statistic - mean) / sd, p = 2 Phi(z).
// With no non-zero difference at all the p-value is 1 (no evidence either way), where scipy returns NaN.
import { normalCdf } from './normal';

export type ZeroMethod = 'wilcox' | 'pratt';

export interface WilcoxonResult {
  statistic: number;
  /** W+ and W-, the rank sums of the positive and negative differences. */
  rankSumPositive: number;
  rankSumNegative: number;
  pValue: number;
  /** Pairs used (after dropping zero differences). */
  n: number;
  zeros: number;
  method: 'exact' | 'normal';
  zeroMethod: ZeroMethod;
  z: number | null;
}

/** Average ranks (1-based) of values, ties sharing the mean of their positions; also the tie group sizes. */
export function averageRanks(values: ArrayLike<number>): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** P(W+ <= w) for n untied non-zero differences under H0, by counting subsets of {1..n} per sum. */
export function exactSignedRankCdf(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = max; s >= k; s--) counts[s] += counts[s - k];
  let c = 0;
  for (let s = 0; s <= Math.min(max, Math.floor(w)); s++) c += counts[s];
  return c / 2 ** n;
}

export function wilcoxon(x: ArrayLike<number>, y: ArrayLike<number>, zeroMethod: ZeroMethod = 'wilcox'): WilcoxonResult {
  if (x.length !== y.length) throw new Error(`wilcoxon: ${x.length} and ${y.length} values are not paired`);
  const all = Array.from(x, (v, i) => v - y[i]);
  const zeros = all.filter((d) => d === 0).length;
  const ranked = zeroMethod === 'wilcox' ? all.filter((d) => d !== 0) : all;
  const { ranks, ties } = averageRanks(ranked.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  ranked.forEach((d, i) => {
    if (d > 0) wPlus += ranks[i];
    else if (d < 0) wMinus += ranks[i];
  });
  const n = ranked.length;
  const nonZero = all.length - zeros;
  const statistic = Math.min(wPlus, wMinus);
  const base = { statistic, rankSumPositive: wPlus, rankSumNegative: wMinus, n: nonZero, zeros, zeroMethod };
  if (nonZero === 0) return { ...base, pValue: 1, method: 'exact', z: null };
  if (n <= 50 && ties.length === 0 && zeros === 0) {
    return { ...base, pValue: Math.min(1, 2 * exactSignedRankCdf(n, statistic)), method: 'exact', z: null };
  }
  let mn = (n * (n + 1)) / 4;
  let se = n * (n + 1) * (2 * n + 1);
  let tieGroups = ties;
  if (zeroMethod === 'pratt' && zeros > 0) {
    // The zeros were ranked (as one tie group at the bottom) but count in neither sum.
    mn -= (zeros * (zeros + 1)) / 4;
    se -= zeros * (zeros + 1) * (2 * zeros + 1);
    tieGroups = averageRanks(ranked.filter((d) => d !== 0).map(Math.abs)).ties;
  }
  const tieTerm = tieGroups.reduce((s, t) => s + t * t * t - t, 0);
  const sd = Math.sqrt((se - tieTerm / 2) / 24);
  const z = sd > 0 ? (statistic - mn) / sd : 0;
  return { ...base, pValue: Math.min(1, 2 * normalCdf(z)), method: 'normal', z };
}
