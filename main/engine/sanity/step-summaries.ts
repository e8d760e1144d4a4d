// Groups per-image similarity values into one summary per (step, method, measure), the rows of a sanity table or
// the points and bands of a sanity curve. Works on flat rows, so the store's similarity rows can be summarized the
// same way later. Each group's bootstrap gets its own seed stream, so adding a method does not change the others.
import { mixSeed } from '../data/rng';
import { hashName } from './hash-name';
import { summarizeValues, type ValueSummary } from './summarize-values';

export interface SimilarityValue {
  step: number;
  method: string;
  measure: string;
  value: number | null;
}

export interface StepSummary extends ValueSummary {
  step: number;
  /** The step's label (the layer name, 'trained', ...). */
  label: string;
  method: string;
  measure: string;
}

export function summarizeSteps(rows: readonly SimilarityValue[], labels: ReadonlyMap<number, string>, seed: number): StepSummary[] {
  const groups = new Map<string, { step: number; method: string; measure: string; values: Array<number | null> }>();
  for (const r of rows) {
    const key = `${r.step}\u0000${r.method}\u0000${r.measure}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { step: r.step, method: r.method, measure: r.measure, values: [] }));
    g.values.push(r.value);
  }
  return [...groups.values()]
    .sort((a, b) => a.step - b.step)
    .map((g) => ({
      step: g.step,
      label: labels.get(g.step) ?? String(g.step),
      method: g.method,
      measure: g.measure,
      ...summarizeValues(g.values, mixSeed(seed, g.step, hashName(g.method), hashName(g.measure))),
    }));
}
