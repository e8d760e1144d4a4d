// Registered datasets, models and jobs as terminal text: one line per record in lists, a block for `show`.
import type { DatasetDetails, JobDetails, ModelDetails } from '../../shared/service-api';
import type { DatasetRecord, JobRecord, ModelRecord } from '../../shared/store-types';
import { jobOneLine, metricsJobLines, sanityJobLines, skippedLines } from './job-text';
import { formatDuration } from './progress';

const day = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function datasetsTable(datasets: readonly DatasetRecord[]): string {
  if (datasets.length === 0) return 'no datasets registered ("dixw dataset add DIR" registers one)';
  return table(['id', 'name', 'images', 'classes', 'hash', 'folder'],
    datasets.map((d) => [String(d.id), d.name, String(d.imageCount), String(d.classes.length), d.contentHash.slice(0, 12), d.root]));
}

export function modelsTable(models: readonly ModelRecord[]): string {
  if (models.length === 0) return 'no models registered ("dixw model add DIR" registers one)';
  return table(['id', 'name', 'arch', 'hash', 'folder'], models.map((m) => [String(m.id), m.name, m.arch ?? '-', m.contentHash.slice(0, 12), m.path]));
}

function jobWhat(j: JobRecord): string {
  const s = j.spec;
  if (s.kind === 'explain') return `${s.methods.join(',')} on dataset ${s.dataset}`;
  if (s.kind === 'train') return `${s.arch} x${s.epochs} -> ${s.out}`;
  return jobOneLine(j) ?? s.kind;
}

export function jobsTable(jobs: readonly JobRecord[]): string {
  if (jobs.length === 0) return 'no jobs';
  return table(['id', 'kind', 'state', 'done', 'reused', 'created', 'what'],
    jobs.map((j) => [String(j.id), j.kind, j.state, `${j.itemsDone}/${j.itemsTotal}`, String(j.mapsReused), day(j.createdAt),
      jobWhat(j) + (j.error ? `  (${j.error.split('\n')[0].slice(0, 80)})` : '')]));
}

export function datasetText(d: DatasetDetails): string {
  const r = d.dataset;
  return [
    `dataset ${r.id} "${r.name}"`,
    `folder    ${r.root}`,
    `images    ${r.imageCount} (${d.masks} with masks)`,
    `classes   ${Object.entries(d.perClass).map(([c, n]) => `${c} ${n}`).join(', ')}`,
    `hash      ${r.contentHash}`,
    `added     ${day(r.createdAt)}, indexed ${day(r.updatedAt)}`,
    `first     ${d.sample.map((im) => im.relPath).join(', ')}`,
    `used by   ${d.usedBy.length ? `unfinished job(s) ${d.usedBy.join(', ')}` : 'no unfinished job'}`,
  ].join('\n');
}

export function modelText(d: ModelDetails): string {
  const m = d.model;
  const lines = [`model ${m.id} "${m.name}"`, `folder    ${m.path}`, `hash      ${m.contentHash}`, `arch      ${m.arch ?? 'unknown'}`];
  if (d.info) {
    const p = d.info.preprocessing;
    lines.push(
      `input     ${p.height}x${p.width}x${p.channels}, pixels / ${p.scale}, mean [${p.mean}], std [${p.std}]`,
      `classes   ${d.info.numClasses}${p.classNames ? ` (${p.classNames.join(', ')})` : ''}`,
      `params    ${d.info.parameters.toLocaleString('en-US')}`,
      `cuts      ${d.info.cutPoints.filter((c) => c.blockOutput).map((c) => `${c.name} ${c.shape.join('x')}`).join(', ')} (block outputs; ${d.info.cutPoints.length} valid cut points in all)`,
      `defaults  ${['L', 'L-1', 'L-2'].slice(0, d.info.defaultLayers.length).map((r, i) => `${r} = ${d.info!.defaultLayers[i]}`).join(', ')}`,
    );
  }
  lines.push(`added     ${day(m.createdAt)}, updated ${day(m.updatedAt)}`, `used by   ${d.usedBy.length ? `unfinished job(s) ${d.usedBy.join(', ')}` : 'no unfinished job'}`);
  return lines.join('\n');
}

/** Items per second over the last committed items (whichever workers ran them: local processes or a fleet) and,
 *  for an unfinished job, the ETA at that rate as of the last commit. */
function rateLine(d: JobDetails): string | null {
  const r = d.rate;
  if (r.itemsPerSecond === null) return null;
  const unfinished = d.job.state === 'running' || d.job.state === 'queued' || d.job.state === 'paused';
  const eta = unfinished && r.etaSeconds !== null && r.expectedAt ? `; ETA ${formatDuration(r.etaSeconds)} as of ${day(r.asOf)} (done about ${day(r.expectedAt)})` : '';
  return `rate      ${r.itemsPerSecond.toFixed(2)} items/s over the last committed items${eta}`;
}

export function jobText(d: JobDetails): string {
  const j = d.job;
  const lines = [
    `job ${j.id} (${j.kind}): ${j.state}, ${j.itemsDone}/${j.itemsTotal} items done` + (d.items.failed ? `, ${d.items.failed} failed` : ''),
    `spec      ${JSON.stringify(j.spec)}`,
    `priority  ${j.priority}; created ${day(j.createdAt)}, started ${day(j.startedAt)}, finished ${day(j.finishedAt)}`,
  ];
  const rate = rateLine(d);
  if (rate) lines.push(rate);
  if (j.inputs.model) lines.push(`model     ${j.inputs.model.id === null ? '' : `${j.inputs.model.id} `}${j.inputs.model.path} (sha256 ${j.inputs.model.hash.slice(0, 12)})`);
  if (j.inputs.dataset) lines.push(`dataset   ${j.inputs.dataset.id === null ? '' : `${j.inputs.dataset.id} `}${j.inputs.dataset.root} (sha256 ${j.inputs.dataset.hash.slice(0, 12)})`);
  if (j.provenance) {
    const b = j.provenance.backend;
    lines.push(`ran with  DIX Workbench ${j.provenance.appVersion}, Node ${j.provenance.node} ${j.provenance.platform}-${j.provenance.arch}${b ? `, ${b.name} ${b.version} (${b.detail})` : ''}`);
  }
  if (j.runner) lines.push(`runner    ${j.runner}`);
  else if (j.state === 'running') lines.push('runner    none: it was interrupted; "dixw worker" or the app resumes it at its first uncommitted item');
  const s = d.summary;
  if (j.spec.kind === 'metrics') lines.push(...metricsJobLines(d, j.spec));
  else if (j.spec.kind === 'sanity') lines.push(...sanityJobLines(d, j.spec));
  else if (s?.kind === 'explain') {
    lines.push(`maps      ${s.mapsComputed} computed, ${s.mapsReused} reused; ${s.images.length} image(s) explained, ${s.skipped.length} skipped`);
    lines.push(...skippedLines(s.skipped));
  } else if (s?.kind === 'train' && s.result) {
    const last = s.result.epochs[s.result.epochs.length - 1];
    lines.push(`trained   ${s.result.epochs.length} epoch(s) on ${s.result.images} images, train acc ${(100 * (last?.trainAccuracy ?? NaN)).toFixed(1)}% -> ${s.result.out}` +
      (s.modelId === null ? '' : ` (model ${s.modelId})`));
  }
  if (j.error) lines.push(`error     ${j.error}`);
  if (d.events.length) {
    lines.push('log');
    for (const e of d.events) lines.push(`  ${day(e.at)} ${e.level.padEnd(5)} ${e.message}`);
  }
  return lines.join('\n');
}
