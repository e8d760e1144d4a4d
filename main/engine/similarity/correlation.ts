// Pearson's correlation coefficient in float64, two passes (mean first), as scipy.stats.pearsonr. It is undefined
// (NaN) when either input is constant, as scipy returns nan with a warning.

export function pearsonCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`pearsonCorrelation: lengths ${a.length} and ${b.length} differ`);
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!(saa > 0 && sbb > 0)) return NaN;
  // Rounding can put |r| a hair above 1; the coefficient itself cannot be.
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}
