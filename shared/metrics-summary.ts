// What a metrics job reports (the service's summary, the CLI's --json, the table and curve exports): the table of
// configurations x metrics rebuilt from the stored scores, each cell with its 95% bootstrap interval, the best and
// second-best configuration per metric (respecting its direction) and the Holm-corrected Wilcoxon signed-rank test of
// the best against each other configuration.
import type { JsonValue } from './json';
import type { BackendInfo } from './provenance';
import type { JobRecord } from './store-types';

export type MetricDirection = 'higher' | 'lower';

export interface MetricCurve {
  x: number[];
  y: number[];
}

export interface MetricInterval {
  low: number;
  high: number;
  level: number;
  resamples: number;
  seed: number;
}

export interface MetricCell {
  /** The configuration (column): a method id or an ablation configuration's name. */
  method: string;
  value: number;
  interval: MetricInterval;
  images: number;
  skipped: Record<string, number>;
  /** The aggregated curve (NEG/POS/INS/DEL: mean; SIC/AIC: median by default). */
  curve?: MetricCurve;
}

export interface MetricPairedTest {
  method: string;
  pairs: number;
  statistic: number;
  pValue: number;
  pHolm: number;
  test: string;
}

export interface MetricRow {
  metric: { id: string; version: number; params: Record<string, unknown> };
  title: string;
  direction: MetricDirection;
  cells: MetricCell[];
  best: string | null;
  second: string | null;
  /** The best configuration against each other one (Wilcoxon signed-rank, Holm-corrected). */
  tests: MetricPairedTest[];
}

export interface MetricsVariantInfo {
  name: string;
  method: string;
  version: number;
  params: Record<string, JsonValue>;
  cutPoints: string[];
}

export interface MetricsJobSummary {
  kind: 'metrics';
  jobId: number;
  state: JobRecord['state'];
  model: { path: string; hash: string };
  dataset: { path: string; hash: string; images: number };
  variants: MetricsVariantInfo[];
  seed: number;
  backend: BackendInfo | null;
  /** Images scored so far. */
  images: number;
  skipped: Array<{ image: string; reason: string }>;
  mapsComputed: number;
  mapsReused: number;
  /** Median milliseconds per image: maps computed (per configuration) and all metrics on all maps. */
  medianMapMillis: Record<string, number | null>;
  medianMetricMillis: number | null;
  table: MetricRow[];
  seconds: number | null;
}

/** Significance level of the table's marker (Holm-corrected p below it). */
export const SIGNIFICANCE_LEVEL = 0.05;

/** Best and second-best configuration of a row by value, respecting the direction; non-finite values never rank. */
export function rankRow(cells: ReadonlyArray<{ method: string; value: number }>, direction: MetricDirection): { best: string | null; second: string | null } {
  const finite = cells.filter((c) => Number.isFinite(c.value));
  // Stable: ties keep column order, as bestMethod (the first of equal values).
  const sorted = [...finite].sort((a, b) => (direction === 'higher' ? b.value - a.value : a.value - b.value));
  return { best: sorted[0]?.method ?? null, second: sorted[1]?.method ?? null };
}
