// Average precision as sklearn.metrics.average_precision_score: scores in descending order, equal scores taken as one
// threshold, AP = sum over thresholds of (recall step) x precision at that threshold. Positives and negatives come
// as two score arrays (each sorted natively), merged threshold by threshold.
export function averagePrecision(positive: Float32Array, negative: Float32Array): number {
  const pos = Float32Array.from(positive).sort().reverse();
  const neg = Float32Array.from(negative).sort().reverse();
  const total = pos.length;
  if (total === 0) return 0; // sklearn gives NaN (no positives), which the segmentation protocol turns into 0
  let i = 0;
  let j = 0;
  let ap = 0;
  while (i < pos.length || j < neg.length) {
    const t = Math.max(i < pos.length ? pos[i] : -Infinity, j < neg.length ? neg[j] : -Infinity);
    const tp0 = i;
    while (i < pos.length && pos[i] === t) i++;
    while (j < neg.length && neg[j] === t) j++;
    if (i > tp0) ap += ((i - tp0) / total) * (i / (i + j));
  }
  return ap;
}
