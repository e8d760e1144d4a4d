// Area under a curve by the trapezoid rule (np.trapz(y, x)), and the mean of several curves on shared x.
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`trapezoid: ${x.length} x values but ${y.length} y values`);
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return s;
}

export function meanCurve(ys: ArrayLike<number>[]): number[] {
  if (ys.length === 0) return [];
  const out = new Array<number>(ys[0].length).fill(0);
  for (const y of ys) for (let i = 0; i < out.length; i++) out[i] += y[i] / ys.length;
  return out;
}
