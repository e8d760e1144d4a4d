// The labels of a job's images against the model's classes, checked when the job is submitted: a labels.csv (or a
// class folder) whose labels are not the model's class indices means the dataset and the model do not belong
// together. Every label out of range refuses the job; some out of range is a warning in the job's log.
import type { DatasetRecord, ModelRecord } from '../../shared/store-types';
import type { PlannedItem } from '../store/items-repo';
import { ServiceError } from './service-error';

/** How many out-of-range images a warning names. */
const NAMED = 3;

/** A warning for the job's log, or null; throws when every labelled image's label is outside the model's classes. */
export function checkLabelsInRange(items: readonly PlannedItem[], model: ModelRecord, dataset: DatasetRecord): string | null {
  const numClasses = model.info.numClasses;
  if (typeof numClasses !== 'number' || numClasses <= 0) return null;
  const labelled = items
    .map((i) => i.payload as { relPath?: unknown; label?: unknown })
    .filter((p): p is { relPath: string; label: number } => typeof p.label === 'number' && typeof p.relPath === 'string');
  const outside = labelled.filter((p) => p.label < 0 || p.label >= numClasses);
  if (outside.length === 0) return null;
  const range = `the model's ${numClasses} classes (0-${numClasses - 1})`;
  const examples = outside.slice(0, NAMED).map((p) => `${p.relPath}: ${p.label}`).join(', ');
  if (outside.length === labelled.length) {
    throw new ServiceError('invalid-input',
      `Every label of the ${labelled.length} labelled image(s) of dataset ${dataset.id} (${dataset.root}) is outside ${range}, e.g. ${examples}: the dataset's labels do not belong to model ${model.id} (${model.path}).`,
      `Use the dataset the model was trained on, or give labels.csv the model's class indices 0-${numClasses - 1} (class folders are numbered in sorted order).`);
  }
  return `${outside.length} of ${labelled.length} labelled image(s) have a label outside ${range}, e.g. ${examples}; they run as usual, but their label is none of the model's classes.`;
}
