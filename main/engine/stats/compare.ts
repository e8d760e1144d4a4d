// The paired comparison of a metric table row (docs/methods.md §4.6): the best method by the metric's dataset value (respecting
// its direction) against each other method, by the Wilcoxon signed-rank test on the images both scored, with Holm's
// correction over those comparisons.
import { holm } from './holm';
import { wilcoxon, type WilcoxonResult, type ZeroMethod } from './wilcoxon';

export interface MethodValues {
  method: string;
  /** The dataset value (the table cell). */
  value: number;
  /** Per-image values aligned by image position; null where the image was skipped. */
  perImage: Array<number | null>;
}

export interface PairedTest {
  method: string;
  /** Images both methods scored. */
  pairs: number;
  statistic: number;
  pValue: number;
  /** Holm-adjusted over all comparisons against the best. */
  pHolm: number;
  test: WilcoxonResult['method'];
}

export function bestMethod(columns: MethodValues[], direction: 'higher' | 'lower'): string | null {
  let best: MethodValues | null = null;
  for (const c of columns) {
    if (!Number.isFinite(c.value)) continue;
    if (!best || (direction === 'higher' ? c.value > best.value : c.value < best.value)) best = c;
  }
  return best?.method ?? null;
}

export function compareToBest(columns: MethodValues[], direction: 'higher' | 'lower', zeroMethod: ZeroMethod = 'wilcox'):
  { best: string | null; tests: PairedTest[] } {
  const best = bestMethod(columns, direction);
  if (best === null) return { best, tests: [] };
  const b = columns.find((c) => c.method === best)!;
  const raw = columns.filter((c) => c.method !== best).map((c) => {
    const x: number[] = [];
    const y: number[] = [];
    b.perImage.forEach((v, i) => {
      const w = c.perImage[i];
      if (v !== null && w !== null && w !== undefined) {
        x.push(v);
        y.push(w);
      }
    });
    const r = wilcoxon(x, y, zeroMethod);
    return { method: c.method, pairs: x.length, statistic: r.statistic, pValue: x.length ? r.pValue : NaN, test: r.method };
  });
  const finite = raw.filter((t) => Number.isFinite(t.pValue));
  const adjusted = holm(finite.map((t) => t.pValue));
  return { best, tests: raw.map((t) => ({ ...t, pHolm: Number.isFinite(t.pValue) ? adjusted[finite.indexOf(t)] : NaN })) };
}
