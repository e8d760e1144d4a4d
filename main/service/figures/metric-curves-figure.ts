// `dixw export figure --kind curves` for metrics jobs: the aggregated NEG/POS/INS/DEL and SIC/AIC curves of each
// method (the curves whose AUCs the table shows), one figure per metric, as PNG (any DPI), SVG or PDF. The curves come
// from the job's summary, which the jobs layer rebuilds from the stored per-image curves.
import type { ChartConfiguration } from 'chart.js';
import type { ApiFile } from '../../../shared/api';
import { METRIC_CURVE_AXES, metricCurveConfig, type MetricCurveData } from '../../../shared/charts/metric-curves';
import { styleChart } from '../../../shared/charts/figure-style';
import type { MetricsJobSummary } from '../../../shared/metrics-summary';
import { requireJob } from '../../store/jobs-repo';
import type { FigureFormat } from '../../figures/surface';
import type { FigureSize } from '../../../shared/charts/figure-style';
import { aJob, metricName } from '../../../shared/method-display';
import { chartFigureSize } from '../result-files';
import type { WorkbenchService } from '../service';
import { ServiceError } from '../service-error';

export const CURVE_METRICS = ['neg', 'pos', 'ins', 'del', 'sic', 'aic'] as const;

export interface MetricCurvesInput {
  jobId: number;
  /** One of the job's curve metrics; default: every curve metric of the job, one file each. */
  metric?: string;
  /** Only these configurations (default all). */
  methods?: string[];
  format: FigureFormat;
  /** PNG resolution (default 150). */
  dpi?: number;
  width?: number;
  height?: number;
  /** Paper size and font (overrides width and height). */
  size?: FigureSize;
  /** Draw the title (default false: the caption belongs to the paper). */
  title?: boolean;
}

const MIME: Record<FigureFormat, string> = { png: 'image/png', svg: 'image/svg+xml', pdf: 'application/pdf' };

/** The chart data of one curve metric of a metrics job's summary (pure; also what a renderer could draw). */
export function metricCurveData(summary: MetricsJobSummary, metric: string, methods?: string[]): MetricCurveData {
  const row = summary.table.find((r) => r.metric.id === metric);
  if (!row) throw new ServiceError('not-found', `Job ${summary.jobId} has no ${metric} scores.`, `Its metrics: ${summary.table.map((r) => r.metric.id).join(', ')}.`);
  const axes = METRIC_CURVE_AXES[metric];
  if (!axes) throw new ServiceError('invalid-input', `${metric} has no curve.`, `Curves exist for ${CURVE_METRICS.join(', ')}.`);
  const cells = row.cells.filter((c) => c.curve && (!methods || methods.includes(c.method)));
  return {
    title: `${metricName(metric)} curves (${row.direction === 'higher' ? 'higher' : 'lower'} AUC is better; ${summary.images} images)`,
    xLabel: axes.x,
    yLabel: axes.y,
    series: cells.map((c) => ({ label: c.method, x: c.curve!.x, y: c.curve!.y.map((y) => (Number.isFinite(y) ? y : NaN)), auc: c.value })),
  };
}

/** One file per requested curve metric. */
export async function metricCurvesFigures(service: WorkbenchService, input: MetricCurvesInput): Promise<ApiFile[]> {
  const job = requireJob(service.store, input.jobId);
  if (job.kind !== 'metrics') throw new ServiceError('invalid-input', `Job ${job.id} is ${aJob(job.kind)}; metric curves come from metrics jobs.`);
  const summary = (await service.results.summary(job.id)) as MetricsJobSummary;
  const available = summary.table.filter((r) => (CURVE_METRICS as readonly string[]).includes(r.metric.id) && r.cells.some((c) => c.curve)).map((r) => r.metric.id);
  const metrics = input.metric ? [input.metric] : available;
  if (metrics.length === 0) throw new ServiceError('not-found', `Job ${job.id} has no curves yet.`, `Curves come from ${CURVE_METRICS.join(', ')}; run them with --metrics.`);
  const { renderChart } = await import('../../figures/render-chart');
  return metrics.map((metric) => {
    const data = metricCurveData(summary, metric, input.methods);
    const { width, height, fontSize } = chartFigureSize({ width: input.width ?? 720, height: input.height ?? 420 }, input.size);
    const config = styleChart(metricCurveConfig(data) as unknown as ChartConfiguration, { title: input.title ?? false, fontSize });
    const bytes = renderChart(config, { format: input.format, width, height, dpi: input.dpi ?? 150 });
    return { mime: MIME[input.format], filename: `job${job.id}-curves-${metric}.${input.format}`, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  });
}

/** One file: the given metric's curves (default the job's first curve metric). */
export async function metricCurvesFigure(service: WorkbenchService, input: MetricCurvesInput): Promise<ApiFile> {
  const files = await metricCurvesFigures(service, input);
  return files[0];
}
