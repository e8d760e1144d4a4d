// Holm's step-down correction of m p-values (Holm 1979): sort ascending, adjust p_(i) to (m - i + 1) p_(i) (i from 1),
// carry the running maximum so adjusted values keep the order of the raw ones, cap at 1; returned in input order.
export function holm(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
