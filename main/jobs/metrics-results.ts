// A metrics job's summary and table, rebuilt from what it stored: the score rows (value, curve or counts, skip
// reason) of every committed item go through the engine's metricsTable, the same pure function runMetrics ends with,
// so the table of a job equals runMetrics' table for the same spec and seed. The service reaches the engine only
// through the jobs layer; the engine's metric modules (and TF.js with them, though nothing is computed) load lazily.
import { MetricsItemOutputSchema, type MetricsItemOutput } from '../../shared/job-outputs';
import type { JsonValue } from '../../shared/json';
import type { MetricsSpec } from '../../shared/job-spec';
import { needsMasks } from '../../shared/metric-catalogue';
import { rankRow, type MetricRow, type MetricsJobSummary } from '../../shared/metrics-summary';
import type { ItemRecord, JobRecord, ScoreRecord } from '../../shared/store-types';
import { jobHeader, mapTimings, median } from './job-summary-parts';
import { specMetricOptions, specResamples, specVariants } from '../../shared/metrics-spec';

interface StoredImageScore {
  value: number | null;
  curve?: { x: number[]; y: number[] };
  counts?: Record<string, number>;
  skipped?: string;
}

type ImageOutput = Extract<MetricsItemOutput, { kind: 'image' }>;

const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : NaN);

/** One stored score row back into the engine's ImageScore. */
export function storedScore(row: Pick<ScoreRecord, 'value' | 'detail'>): StoredImageScore {
  const d = (row.detail && typeof row.detail === 'object' && !Array.isArray(row.detail) ? row.detail : {}) as Record<string, JsonValue>;
  const out: StoredImageScore = { value: row.value };
  const c = d.curve as { x?: JsonValue[]; y?: JsonValue[] } | undefined;
  if (c && Array.isArray(c.x) && Array.isArray(c.y)) out.curve = { x: c.x.map(num), y: c.y.map(num) };
  if (d.counts && typeof d.counts === 'object' && !Array.isArray(d.counts)) {
    out.counts = Object.fromEntries(Object.entries(d.counts).map(([k, v]) => [k, num(v)]));
  }
  if (typeof d.skipped === 'string') out.skipped = d.skipped;
  return out;
}

/** Per committed image in item order: scores[configuration][metric]. */
export function storedImages(items: readonly ItemRecord[], scores: readonly ScoreRecord[]): Array<{ item: ItemRecord; output: ImageOutput; scores: Record<string, Record<string, StoredImageScore>> }> {
  const byItem = new Map<number, ScoreRecord[]>();
  for (const s of scores) {
    const list = byItem.get(s.itemId);
    if (list) list.push(s);
    else byItem.set(s.itemId, [s]);
  }
  return [...items].sort((a, b) => a.ordinal - b.ordinal).flatMap((item) => {
    if (item.state !== 'done') return [];
    const parsed = MetricsItemOutputSchema.safeParse(item.output);
    if (!parsed.success || parsed.data.kind !== 'image') return [];
    const table: Record<string, Record<string, StoredImageScore>> = {};
    for (const s of byItem.get(item.id) ?? []) {
      if (s.method === null) continue;
      (table[s.method] ??= {})[s.metric] = storedScore(s);
    }
    return [{ item, output: parsed.data, scores: table }];
  });
}

/** The methods x metrics table from stored scores (metricsTable), with the second best per row. */
export async function metricsTableFromStore(spec: MetricsSpec, items: readonly ItemRecord[], scores: readonly ScoreRecord[]): Promise<MetricRow[]> {
  const [{ metricsTable }, { planMetrics }] = await Promise.all([import('../engine/runs/metrics-run'), import('../engine/metrics/registry')]);
  const names = specVariants(spec).map((v) => v.name);
  const metrics = planMetrics(spec.metrics, specMetricOptions(spec));
  const images = storedImages(items, scores).map((im) => ({ scores: im.scores }));
  const rows = metricsTable(names, metrics, images, spec.seed ?? 0, specResamples(spec));
  return rows.map((r): MetricRow => ({ ...r, second: rankRow(r.cells, r.direction).second }));
}

export async function metricsSummary(job: JobRecord, items: readonly ItemRecord[], scores: readonly ScoreRecord[]): Promise<MetricsJobSummary> {
  if (job.spec.kind !== 'metrics') throw new Error(`job ${job.id} is ${job.spec.kind === 'explain' ? 'an' : 'a'} ${job.spec.kind} job, not a metrics job`);
  const spec = job.spec;
  const images = storedImages(items, scores);
  const done = items.filter((i) => i.state === 'done').flatMap((i) => {
    const r = MetricsItemOutputSchema.safeParse(i.output);
    return r.success ? [r.data] : [];
  });
  const first = images[0]?.output;
  const variants = specVariants(spec).map((v) => {
    const seen = first?.variants.find((x) => x.name === v.name);
    return { name: v.name, method: v.method, version: seen?.version ?? 0, params: seen?.params ?? {}, cutPoints: seen?.cutPoints ?? [] };
  });
  const timings = mapTimings(variants.map((v) => v.name), images.map((im) => im.output.variants), (v) => v.name);
  return {
    kind: 'metrics',
    ...jobHeader(job),
    variants,
    seed: spec.seed ?? 0,
    backend: job.provenance?.backend ?? null,
    images: images.length,
    skipped: done.flatMap((o) => (o.kind === 'skipped' ? [{ image: o.image, reason: o.reason }] : [])),
    mapsComputed: timings.computed,
    mapsReused: job.mapsReused,
    medianMapMillis: timings.medianMillis,
    medianMetricMillis: median(images.map((im) => im.output.metricMillis)),
    table: await metricsTableFromStore(spec, items, scores),
    seconds: job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null,
  };
}

/** Metric ids and group names the engine knows, and which ids need ground-truth masks, for refusing a spec early. */
export async function metricNames(): Promise<{ ids: string[]; groups: Record<string, string[]>; needsMask: string[] }> {
  const { listMetrics, METRIC_GROUPS } = await import('../engine/metrics/registry');
  const all = listMetrics();
  return { ids: all.map((m) => m.id), groups: METRIC_GROUPS, needsMask: all.filter((m) => needsMasks(m.id)).map((m) => m.id) };
}
