// A sanity job's results as terminal text, printed by `dixw sanity` and `dixw demo` when a test ends and by
// `dixw jobs show`: the per-step table (mean similarity of each step's maps to the trained model's, with its 95%
// interval, per method) and the training of a data-randomization pair.
import type { SanityJobSummary } from '../../shared/service-api';

/** "true labels 96.7% in 10 epochs, permuted labels 97.2% in 17 epochs" */
export function trainedPairText(p: NonNullable<SanityJobSummary['trainedPair']>): string {
  return `true labels ${(100 * p.trueLabels.finalTrainAccuracy).toFixed(1)}% in ${p.trueLabels.epochs} epochs, permuted labels ` +
    `${(100 * p.randomLabels.finalTrainAccuracy).toFixed(1)}% in ${p.randomLabels.epochs} epochs`;
}

const fmt = (x: number | null) => (x === null ? '   --' : x.toFixed(3).padStart(6));

export function sanityStepTable(s: SanityJobSummary): string[] {
  const measure = s.measures.includes('spearman-abs') ? 'spearman-abs' : s.measures[0];
  const lines = [`mean ${measure} similarity to the trained model's map [95% interval]:`, `${'step'.padEnd(22)} ${s.methods.map((m) => m.padStart(24)).join('')}`];
  for (const st of s.steps) {
    const cells = s.methods.map((m) => {
      const x = s.summaries.find((y) => y.step === st.step && y.method === m && y.measure === measure);
      return `${fmt(x?.mean ?? null)} [${fmt(x?.ci95?.[0] ?? null)},${fmt(x?.ci95?.[1] ?? null)}]`.padStart(24);
    });
    lines.push(`${`${st.step} ${st.label}`.slice(0, 22).padEnd(22)} ${cells.join('')}`);
  }
  return lines;
}
