import type { MetricsJobSummary } from '../../../shared/metrics-summary';
import { intOption, listOption, numberOption, parse, required, type Options } from '../args';
import { BACKEND_HELP, BACKEND_OPTION, printJson, type Command } from '../command';
import { requireDone, runInForeground } from '../foreground-job';
import { reportSubmittedInputs } from '../report-inputs';
import { DB_HELP, DB_OPTION, withService } from '../service-access';
import { keepMapsOption, withoutUndefined } from '../spec-options';
import { checkLayers } from '../check-layers';
import { CATALOGUE_METHOD_IDS as METHOD_IDS } from '../../../shared/method-catalogue';
import { METRIC_GROUPS } from '../../../shared/metric-catalogue';
import { methodFlagOptions, methodOptionFields, methodOptionsHelp, metricOptionsHelp } from '../method-flags';
import { UserError } from '../../engine/errors';
import type { WorkbenchService } from '../../service/service';
import { metricsTableText } from '../../service/tables/metrics-table';

const METRIC_IDS = METRIC_GROUPS.all;

/** Options `metrics` and `ablate` share. */
export const METRICS_RUN_OPTIONS: Options = {
  ...BACKEND_OPTION, ...DB_OPTION, model: { type: 'string' }, data: { type: 'string' }, metrics: { type: 'string' },
  limit: { type: 'string' }, 'per-class': { type: 'string' }, seed: { type: 'string' }, target: { type: 'string' },
  'batch-size': { type: 'string' }, 'normalize-layers': { type: 'boolean' }, 'metric-batch-size': { type: 'string' },
  'webp-quality': { type: 'string' }, 'min-probability': { type: 'string' }, aggregation: { type: 'string' }, resamples: { type: 'string' },
  'keep-maps': { type: 'string' }, json: { type: 'boolean' }, detach: { type: 'boolean' }, priority: { type: 'string' },
};

export const METRICS_RUN_HELP = `  --metrics LIST      comma-separated: ${METRIC_IDS.join(', ')}; "seg" = the localisation metrics (${METRIC_GROUPS.seg.join(',')}),
                      "all" = every metric
                      (default for ablate: neg,pos,ins,del,adp,pic,sic,aic)
  --limit N           only N images, the classes in turn (never the first N files of one class)
  --per-class N       only the first N images of each class (a balanced sample), the classes in turn
  --seed S            seeds SmoothGrad's noise, SIC/AIC's random pixels and the bootstrap (default 0)
  --target K          explain and score class K instead of the model's top-1 class
  --batch-size N      interpolants per forward/backward batch of the methods: speed and memory only
                      (default: the largest batch that fits in the backend's memory)
  --normalize-layers  min-max each DIX layer map before averaging
  --metric-batch-size N  perturbed images per model call (speed and memory only; default 16)
  (SIC/AIC's options are under "Metric options" below: a lower --webp-quality is faster, and the protocol card records
  it; their WebP encodings run on worker threads beside the model: DIXW_METRIC_THREADS=N sets how many, default one
  less than the cores, at most 4; 0 keeps them on the model's thread)
  --resamples B       bootstrap resamples per table cell (default 2000)
  --keep-maps N|all|none  store the maps computed for N images (the classes in turn), all (default) or none; stored maps are
                      reused by later metrics and explain jobs
  --detach            only queue the job (for a running app or "dixw worker"); prints its id
  --priority P        higher runs first (default 0)
  --json              print the job's summary (with the table) as JSON on stdout
${DB_HELP}
${BACKEND_HELP}

${metricOptionsHelp()}`;

/** The spec fields `metrics` and `ablate` share, from their options. */
export function sharedSpecFields(command: string, v: Record<string, string | boolean | undefined>, defaultMetrics?: string[]): Record<string, unknown> {
  const metrics = listOption(v, 'metrics') ?? defaultMetrics;
  if (!metrics?.length) throw new UserError(`dixw ${command}: --metrics is required.`, `Choose from: ${[...METRIC_IDS, ...Object.keys(METRIC_GROUPS)].join(', ')}.`);
  const aggregation = v.aggregation as string | undefined;
  return {
    model: required(command, v, 'model'), dataset: required(command, v, 'data'), metrics,
    limit: intOption(command, v, 'limit'), perClass: intOption(command, v, 'per-class'), seed: intOption(command, v, 'seed'),
    targetClass: intOption(command, v, 'target'), batchSize: intOption(command, v, 'batch-size'), normalizeLayers: v['normalize-layers'] ? true : undefined,
    metricBatchSize: intOption(command, v, 'metric-batch-size'), webpQuality: numberOption(command, v, 'webp-quality'),
    minProbability: numberOption(command, v, 'min-probability'), aggregation, resamples: intOption(command, v, 'resamples'),
    keepMaps: keepMapsOption(v['keep-maps']), backend: v.backend as string | undefined,
  };
}

/** Submits the spec, runs it in the foreground (or only queues it) and prints its table. */
export async function runMetricsJob(command: string, v: Record<string, string | boolean | undefined>, spec: Record<string, unknown>,
  print: (s: MetricsJobSummary) => void): Promise<void> {
  await withService(v, async (service: WorkbenchService) => {
    // The cut points of --layers (metrics) or of every configuration (ablate --layer-sets), refused before queueing.
    const variants = (spec.variants ?? []) as Array<{ layers?: string[] }>;
    const layers = [...((spec.layers as string[] | undefined) ?? []), ...variants.flatMap((c) => c.layers ?? [])];
    await checkLayers(service, command, String(spec.model), [...new Set(layers)]);
    const submitted = await service.jobs.submit({ spec: withoutUndefined(spec), priority: intOption(command, v, 'priority') });
    const { job } = submitted;
    reportSubmittedInputs(submitted.dataset, submitted.model);
    if (v.detach) {
      if (v.json) return printJson({ jobId: job.id, state: job.state, items: job.itemsTotal });
      return void console.log(`queued job ${job.id}: ${job.itemsTotal} image(s); "dixw worker" or the app runs it ("dixw jobs show ${job.id}", then "dixw export table --job ${job.id}")`);
    }
    requireDone(await runInForeground(service, job.id, { label: command, quiet: Boolean(v.json), progress: 'items' }));
    const summary = (await service.results.summary(job.id)) as MetricsJobSummary;
    for (const s of summary.skipped) process.stderr.write(`skipped ${s.image}: ${s.reason}\n`);
    if (v.json) return printJson(summary);
    print(summary);
  });
}

export function printMetricsHeader(s: MetricsJobSummary): void {
  console.log(`job ${s.jobId}: ${s.images} image(s) scored, ${s.skipped.length} skipped, seed ${s.seed}${s.backend ? `, on ${s.backend.name} ${s.backend.version}` : ''}`);
  console.log(`maps: ${s.mapsComputed} computed, ${s.mapsReused} reused from the store` +
    (s.medianMetricMillis === null ? '' : `; metrics median ${s.medianMetricMillis.toFixed(0)} ms/image`));
  for (const row of s.table) {
    const skipped = Object.entries(row.cells[0]?.skipped ?? {}).map(([why, n]) => `${n} ${why}`);
    if (skipped.length) console.log(`${row.metric.id}: skipped ${skipped.join(', ')}`);
  }
}

export const metricsCommand: Command = {
  help: `Usage: dixw metrics --model MODEL --data DATASET --methods dix3,gradcam,... --metrics neg,pos,ins,del,adp,pic,sic,aic,seg [options]

Scores every method on every metric (docs/methods.md §4) as one job, and prints the table: metrics as rows, methods as
columns, each cell the dataset value with its 95% bootstrap interval over images; * marks the best per metric and +
the second (respecting each metric's direction), † a method the best is significantly better than (Wilcoxon
signed-rank on the per-image values, Holm-corrected, p < 0.05). Maps already stored for the same model, image,
method, parameters, target class and cut points (by explain or earlier metrics jobs) are reused, not recomputed.
Per-image values and curves are stored with each metric's protocol card; "dixw export table --job ID --format
latex|csv|json|markdown" writes the table and "dixw export figure --job ID --kind curves" the curves.
  --model MODEL       a TF.js LayersModel folder, or a registered model id
  --data DATASET      an image folder (masks/ for the segmentation metrics), or a registered dataset id
  --methods LIST      comma-separated: ${METHOD_IDS.join(', ')}
${METRICS_RUN_HELP}

${methodOptionsHelp()}

Example: dixw metrics --model demo-output/model --data demo-output/data/test --methods dix3,gradcam,ig --metrics all --limit 32`,
  async run(argv) {
    const v = parse('metrics', argv, { ...METRICS_RUN_OPTIONS, ...methodFlagOptions(), methods: { type: 'string' } });
    if (v.help) return void console.log(this.help);
    const methods = listOption(v, 'methods');
    if (!methods?.length) throw new UserError('dixw metrics: --methods is required.', `Choose from: ${METHOD_IDS.join(', ')}.`);
    const spec = {
      kind: 'metrics', methods, ...sharedSpecFields('metrics', v), ...methodOptionFields('metrics', v),
    };
    await runMetricsJob('metrics', v, spec, (s) => {
      printMetricsHeader(s);
      process.stdout.write('\n' + metricsTableText(s.table));
    });
  },
};
