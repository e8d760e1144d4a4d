// Ranks with ties averaged (scipy.stats.rankdata(method='average')): tied values all get the mean of the ranks they
// span, so a Spearman correlation on these ranks equals scipy.stats.spearmanr. Ranks start at 1.

export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  // NaN has no rank; all-NaN ranks make any correlation on them NaN (scipy's nan_policy='propagate').
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) return new Float64Array(n).fill(NaN);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    // Positions start..end-1 hold equal values: ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const r = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = r;
    start = end;
  }
  return ranks;
}
