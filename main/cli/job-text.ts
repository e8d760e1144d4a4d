// What metrics and sanity jobs did, as terminal text: a one-line description for `dixw jobs list` and the lines
// `dixw jobs show` adds for them (configurations, metrics with their protocol versions, options, progress, reuse and,
// once done, the same table `dixw metrics` / `dixw ablate` print at the end).
import type { MetricsSpec, SanitySpec } from '../../shared/job-spec';
import type { JobDetails, SanityJobSummary } from '../../shared/service-api';
import type { MetricsJobSummary } from '../../shared/metrics-summary';
import type { JobRecord } from '../../shared/store-types';
import { specResamples, specVariants } from '../../shared/metrics-spec';
import { metricLabel, metricsTableText } from '../service/tables/metrics-table';
import { sanityStepTable, trainedPairText } from './sanity-text';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** a,b,c; beyond `max` names: the first two, …, the last. */
function short(names: readonly string[], max = 5): string {
  return (names.length > max ? [names[0], names[1], '…', names[names.length - 1]] : names).join(',');
}

/** Images a sanity job explains: its items, less the training item when it trains its own pair. */
const sanityImages = (j: JobRecord, s: SanitySpec) => Math.max(0, j.itemsTotal - (s.train ? 1 : 0));

/** The `what` column of `dixw jobs list` for metrics and sanity jobs; null for other kinds. */
export function jobOneLine(j: JobRecord): string | null {
  const s = j.spec;
  if (s.kind === 'metrics') {
    const what = s.variants ? `ablation: ${plural(s.variants.length, 'configuration')} of ${short(s.methods)}` : `metrics: ${short(s.methods)}`;
    return `${what} × ${short(s.metrics)} (${plural(j.itemsTotal, 'image')})`;
  }
  if (s.kind === 'sanity') {
    return `sanity ${s.test}: ${short(s.methods)} × ${s.measures ? short(s.measures) : 'all measures'} (${plural(sanityImages(j, s), 'image')})`;
  }
  return null;
}

/** The items line: done (of which skipped), failed, and what is still to run. */
function progressLine(d: JobDetails, skipped: number, unit: string): string {
  const i = d.items;
  const rest = [i.running ? `${i.running} running` : '', i.pending ? `${i.pending} pending` : ''].filter(Boolean);
  return `progress  ${d.job.itemsDone}/${d.job.itemsTotal} ${unit} done (${skipped} skipped), ${i.failed} failed${rest.length ? `, ${rest.join(', ')}` : ''}`;
}

/** Up to 10 skipped images with their reasons. */
export function skippedLines(skipped: ReadonlyArray<{ image: string; reason: string }>): string[] {
  const lines = skipped.slice(0, 10).map((k) => `  skipped ${k.image}: ${k.reason}`);
  if (skipped.length > 10) lines.push(`  ... and ${skipped.length - 10} more`);
  return lines;
}

/** Lines `dixw jobs show` prints for a metrics job (`dixw metrics` or `dixw ablate`). */
export function metricsJobLines(d: JobDetails, spec: MetricsSpec): string[] {
  const s = d.summary?.kind === 'metrics' ? (d.summary as MetricsJobSummary) : null;
  const names = specVariants(spec).map((v) => v.name);
  const lines = [spec.variants
    ? `configs   ${plural(names.length, 'ablation configuration')} of ${spec.methods.join(', ')}: ${names.join('; ')}`
    : `methods   ${names.join(', ')}`];
  const rows = s?.table ?? [];
  lines.push(`metrics   ${rows.length ? rows.map((r) => `${metricLabel(r.metric.id)} v${r.metric.version}`).join(', ') : spec.metrics.join(', ')}`);
  const o = [
    spec.limit === undefined ? 'all images' : `limit ${spec.limit}`, spec.perClass === undefined ? '' : `${spec.perClass} per class`,
    `seed ${spec.seed ?? 0}`, spec.targetClass === undefined ? '' : `target class ${spec.targetClass}`,
    spec.steps === undefined ? '' : `${spec.steps} integration steps`, spec.layers ? `layers ${spec.layers.join(',')}` : '', spec.baseline ? `baseline ${spec.baseline}` : '',
    spec.normalizeLayers ? 'normalized layers' : '', `batch size ${spec.batchSize ?? 'all'}`,
    spec.metricBatchSize === undefined ? '' : `metric batch size ${spec.metricBatchSize}`,
    spec.webpQuality === undefined ? '' : `webp quality ${spec.webpQuality}`, spec.minProbability === undefined ? '' : `min probability ${spec.minProbability}`,
    spec.aggregation ? `${spec.aggregation} curves` : '', `${specResamples(spec)} resamples`, `keep maps ${spec.keepMaps}`,
  ];
  lines.push(`options   ${o.filter(Boolean).join(', ')}`);
  lines.push(progressLine(d, s?.skipped.length ?? 0, 'images'));
  if (s) {
    lines.push(`maps      ${s.mapsComputed} computed, ${s.mapsReused} reused from the store` +
      (s.medianMetricMillis === null ? '' : `; metrics median ${s.medianMetricMillis.toFixed(0)} ms/image`));
    lines.push(...skippedLines(s.skipped));
    if (d.job.state === 'done' && s.images > 0) lines.push('', metricsTableText(s.table, { transpose: Boolean(spec.variants) }).trimEnd());
  } else if (d.job.mapsReused) {
    lines.push(`maps      ${d.job.mapsReused} reused from the store`);
  }
  return lines;
}

/** Lines `dixw jobs show` prints for a sanity job. */
export function sanityJobLines(d: JobDetails, spec: SanitySpec): string[] {
  const s = d.summary?.kind === 'sanity' ? (d.summary as SanityJobSummary) : null;
  const lines = [
    `test      ${spec.test} randomization` + (spec.test === 'data' ? '' : `, from the ${spec.layersFrom === 'top' ? 'output down' : 'input up'}` +
      `${spec.includeBatchNorm ? `, batch norm too (statistics ${spec.batchNormStats === 'keep' ? 'kept' : 'reset'})` : ''}`) +
      `; explaining ${spec.explainedClass === 'original' ? "the trained model's class" : "each model's own top-1"}, seed ${spec.seed}`,
    `methods   ${spec.methods.join(', ')}`,
  ];
  if (s?.steps.length) lines.push(`steps     ${s.steps.length} (${s.steps.map((st) => `${st.step} ${st.label}`).join(', ')})`);
  else lines.push('steps     known once the first image is done');
  const measures = s?.measures.length ? s.measures : spec.measures;
  lines.push(`measures  ${measures ? measures.join(', ') : 'all'}`);
  if (spec.randomModel) lines.push(`random    ${spec.randomModel} (trained on permuted labels)`);
  if (spec.train) lines.push(`trains    ${spec.train.arch}, ${spec.train.epochs} epoch(s) on true labels, ${spec.train.randomEpochs ?? 2 * spec.train.epochs} on permuted`);
  if (s?.trainedPair) lines.push(`trained   ${trainedPairText(s.trainedPair)}`);
  const o = [spec.limit === undefined ? 'all images' : `limit ${spec.limit}`, spec.perClass === undefined ? '' : `${spec.perClass} per class`,
    spec.steps === undefined ? '' : `${spec.steps} integration steps`, spec.layers ? `layers ${spec.layers.join(',')}` : '',
    spec.baseline ? `baseline ${spec.baseline}` : '', `keep maps ${spec.keepMaps}`];
  lines.push(`options   ${o.filter(Boolean).join(', ')}`);
  lines.push(progressLine(d, s?.skipped.length ?? 0, spec.train ? 'items' : 'images'));
  if (s) lines.push(...skippedLines(s.skipped));
  if (d.job.state === 'done') {
    const kind = spec.test === 'data' ? 'data-randomization' : spec.test;
    lines.push(`results   ${s?.summaries.length ?? 0} per-step summaries: "dixw export table --job ${d.job.id} --format markdown" gives them all, ` +
      `"dixw export figure --job ${d.job.id} --kind ${kind} --format pdf --out fig.pdf" plots them`);
    if (s && s.summaries.length > 0) lines.push('', ...sanityStepTable(s));
  }
  return lines;
}
