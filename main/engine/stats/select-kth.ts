// Selection of the k-th smallest value without a full sort (Hoare's quickselect): Guided IG's per-step threshold and
// the medians of bootstrapped curves both need it.

/** The element at rank k (0-based) of `values` in ascending order (np.quantile's 'lower' pick); reorders `values`. */
export function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}
