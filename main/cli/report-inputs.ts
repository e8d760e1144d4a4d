// What submitting a job did to the registered inputs, said on stderr: a folder registered for the first time, or
// re-indexed because it changed, and what indexing did not follow (link loops, second links to the same images).
import type { AddDatasetResult, AddModelResult } from '../../shared/service-api';

export function describeDatasetResult(r: AddDatasetResult): string {
  return [describeDatasetStatus(r), ...datasetWarnings(r)].join('\n');
}

/** What indexing did not follow or count, one indented line each. */
function datasetWarnings(r: AddDatasetResult): string[] {
  return (r.warnings ?? []).map((w) => `  not indexed: ${w}`);
}

function describeDatasetStatus(r: AddDatasetResult): string {
  const d = r.dataset;
  switch (r.status) {
    case 'added':
      return `dataset ${d.id} "${d.name}": ${d.imageCount} images in ${d.classes.length} classes, registered from ${d.root}`;
    case 'unchanged':
      return `dataset ${d.id} "${d.name}": ${d.imageCount} images, unchanged`;
    case 'reindexed': {
      const c = r.changes!;
      return `dataset ${d.id} "${d.name}": the folder changed since it was registered (${c.added} images added, ${c.removed} removed, ${c.changed} changed); re-indexed, now ${d.imageCount} images`;
    }
  }
}

export function describeModelResult(r: AddModelResult): string {
  const m = r.model;
  switch (r.status) {
    case 'added':
      return `model ${m.id} "${m.name}": registered from ${m.path} (sha256 ${m.contentHash.slice(0, 12)})`;
    case 'unchanged':
      return `model ${m.id} "${m.name}": unchanged (sha256 ${m.contentHash.slice(0, 12)})`;
    case 'updated':
      return `model ${m.id} "${m.name}": its files changed since it was registered (sha256 ${r.previousHash!.slice(0, 12)} then, ${m.contentHash.slice(0, 12)} now); the record now has the new hash`;
  }
}

/** Only news is worth a line when a job is submitted: a new or changed input. */
export function reportSubmittedInputs(dataset: AddDatasetResult | null, model: AddModelResult | null): void {
  if (dataset && dataset.status !== 'unchanged') process.stderr.write(describeDatasetResult(dataset) + '\n');
  else if (dataset?.warnings?.length) process.stderr.write(`dataset ${dataset.dataset.id}:\n${datasetWarnings(dataset).join('\n')}\n`);
  if (model && model.status !== 'unchanged') process.stderr.write(describeModelResult(model) + '\n');
}
