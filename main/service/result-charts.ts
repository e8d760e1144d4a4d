// The charts a job's results make, as data (shared/api-charts.ts): sanity curves and the data-randomization box plot
// from its similarities, one bar chart per metric from its scores (with 95% intervals), timings of an explain job, the
// accuracy and loss curves of a train job. Series are method ids; the charts draw them with their display names and
// colours (shared/method-display.ts). No job number in a title: a figure's caption belongs to the paper.
// Computed from the store each time it is asked, so a running job's charts grow as items commit.
import type { BarChartData, ChartSpec } from '../../shared/api-charts';
import type { SanityCurveData } from '../../shared/charts/sanity-curves';
import { measureName, metricName } from '../../shared/method-display';
import type { ExplainJobSummary, TrainJobSummary } from '../../shared/service-api';
import type { ScoreRecord, SimilarityRecord } from '../../shared/store-types';
import { summarizeSimilarities } from '../jobs/sanity-summaries';
import { requireJob } from '../store/jobs-repo';
import { listScores } from '../store/scores-repo';
import { listSimilarities } from '../store/similarities-repo';
import type { WorkbenchService } from './service';

const WIDE = { width: 720, height: 400 };

export async function jobCharts(service: WorkbenchService, jobId: number): Promise<ChartSpec[]> {
  const job = requireJob(service.store, jobId);
  const charts: ChartSpec[] = [];
  const similarities = listSimilarities(service.store, { jobId });
  charts.push(...sanityCharts(similarities, job.kind === 'sanity' ? ((job.spec as { seed?: number }).seed ?? 0) : 0));
  charts.push(...metricCharts(listScores(service.store, { jobId })));
  const summary = job.kind === 'explain' || job.kind === 'train' ? await service.results.summary(jobId) : null;
  if (summary?.kind === 'explain') charts.push(...timingCharts(summary));
  if (summary?.kind === 'train') charts.push(...trainingCharts(summary));
  return charts;
}

/** Mean and a normal-approximation 95% interval of the mean; undefined values (null, NaN) are left out. */
export function meanInterval(values: ReadonlyArray<number | null>): { mean: number; lower: number; upper: number } | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  if (xs.length < 2) return { mean, lower: mean, upper: mean };
  const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1));
  const half = (1.96 * sd) / Math.sqrt(xs.length);
  return { mean, lower: mean - half, upper: mean + half };
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

const TEST_TITLES = { cascading: 'Cascading randomization', independent: 'Independent randomization', data: 'Data randomization' } as const;

/**
 * The sanity charts of a job's similarity rows: per model-randomization test and measure, the curve of the
 * per-step means with their 95% bootstrap interval as a band (the summaries of the job's table, same seed); for
 * the data test, a box plot of the per-image values of the random-label model per measure and method.
 */
export function sanityCharts(rows: readonly SimilarityRecord[], seed = 0): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const curves = rows.filter((r) => r.test !== 'data');
  for (const [key, group] of groupBy(curves, (r) => `${r.test}\u0000${r.measure}`)) {
    const [test, measure] = key.split('\u0000') as [keyof typeof TEST_TITLES, string];
    const steps = [...new Set(group.map((r) => r.step))].sort((a, b) => a - b);
    const label = (step: number) => (step === 0 ? 'trained' : (group.find((r) => r.step === step && r.layer)?.layer ?? `step ${step}`));
    const summaries = summarizeSimilarities(group, new Map(steps.map((st) => [st, label(st)])), seed);
    const methods = [...new Set(group.map((r) => r.method))];
    const series = methods.map((method) => {
      const perStep = steps.map((st) => summaries.find((x) => x.method === method && x.step === st));
      return {
        label: method,
        mean: perStep.map((p) => p?.mean ?? NaN),
        lower: perStep.map((p) => p?.ci95?.[0] ?? p?.mean ?? NaN),
        upper: perStep.map((p) => p?.ci95?.[1] ?? p?.mean ?? NaN),
      };
    });
    const data: SanityCurveData = {
      title: `${TEST_TITLES[test]}: ${measureName(measure)}`,
      measure: measureName(measure),
      steps: steps.map(label),
      series,
      randomizationStartsAt: steps.includes(0) ? 1 : 0,
    };
    charts.push({ id: `sanity-${test}-${measure}`, title: data.title, kind: 'sanity-curves', data, ...WIDE });
  }
  const data = rows.filter((r) => r.test === 'data' && r.step > 0);
  if (data.length > 0) {
    const measures = [...new Set(data.map((r) => r.measure))];
    const methods = [...new Set(data.map((r) => r.method))];
    const groups = methods.map((method) => ({
      label: method,
      values: measures.map((m) => data.filter((r) => r.method === method && r.measure === m && r.value !== null && Number.isFinite(r.value)).map((r) => r.value as number)),
    }));
    const title = 'Data randomization: similarity of true-label and random-label maps';
    charts.push({ id: 'sanity-data', title, kind: 'box-plot', data: { title, categories: measures.map(measureName), groups, yLabel: 'similarity, true vs random labels' }, ...WIDE });
  }
  return charts;
}

export function metricCharts(rows: readonly ScoreRecord[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  for (const [metric, group] of groupBy(rows, (r) => r.metric)) {
    const methods = [...new Set(group.map((r) => r.method ?? '(none)'))];
    const stats = methods.map((m) => meanInterval(group.filter((r) => (r.method ?? '(none)') === m).map((r) => r.value)));
    const data: BarChartData = {
      title: `${metricName(metric)}: mean over images with its 95% interval`,
      categories: methods,
      values: stats.map((x) => x?.mean ?? null),
      intervals: stats.map((x) => (x ? [x.lower, x.upper] : null)),
      yLabel: `${metricName(metric)}, mean over images`,
      xLabel: 'method',
    };
    charts.push({ id: `metric-${metric}`, title: data.title, kind: 'bars', data, width: 560, height: 360 });
  }
  return charts;
}

export function timingCharts(summary: ExplainJobSummary): ChartSpec[] {
  const methods = summary.methods.map((m) => m.id);
  if (methods.length === 0) return [];
  const backend = summary.backend ? ` (${summary.backend.name})` : '';
  const data: BarChartData = {
    title: `Median compute time per image${backend}`,
    categories: methods,
    values: methods.map((m) => summary.medianMillis[m] ?? null),
    yLabel: 'median time per image (ms)',
    xLabel: 'method',
  };
  return [{ id: 'timing', title: data.title, kind: 'bars', data, width: 560, height: 360 }];
}

export function trainingCharts(summary: TrainJobSummary): ChartSpec[] {
  const epochs = summary.result?.epochs ?? [];
  if (epochs.length === 0) return [];
  const title = 'Training: accuracy and loss per epoch';
  const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  return [{
    id: 'training', title, kind: 'training-curves', width: 720, height: 360,
    data: { title, epochs: epochs.map((e) => e.epoch), trainAccuracy: epochs.map((e) => num(e.trainAccuracy)), valAccuracy: epochs.map((e) => num(e.valAccuracy)), loss: epochs.map((e) => num(e.loss)) },
  }];
}
