// A labelled dataset folder decoded into one contiguous array in the model's input layout, for training.
// Unreadable images are skipped and reported by path, so one bad file does not stop a run.
import { UserError } from '../errors';
import type { Preprocessing } from '../../../shared/preprocessing';
import type { DatasetIndex } from '../data/dataset-folder';
import { loadImageInput } from '../data/dataset-load';
import { balancedHead } from '../data/select-entries';

export interface TrainingData {
  /** count x H x W x C, channels last. */
  x: Float32Array;
  labels: Int32Array;
  count: number;
  shape: [number, number, number];
  numClasses: number;
  classNames: string[];
  skipped: Array<{ path: string; reason: string }>;
}

export function loadTrainingData(index: DatasetIndex, prep: Preprocessing, limit?: number): TrainingData {
  const labelled = index.entries.filter((e) => e.label !== null);
  if (labelled.length === 0) {
    throw new UserError(`No labelled images in ${index.root}.`, 'Training needs labels: use one subfolder per class, or a labels.csv.');
  }
  // A limit takes the classes in turn: the first N by path could all be one class.
  const entries = limit ? balancedHead(labelled, limit) : labelled;
  const size = prep.height * prep.width * prep.channels;
  const x = new Float32Array(entries.length * size);
  const labels = new Int32Array(entries.length);
  const skipped: TrainingData['skipped'] = [];
  let n = 0;
  for (const e of entries) {
    try {
      x.set(loadImageInput(e, prep), n * size);
      labels[n++] = e.label!;
    } catch (err) {
      skipped.push({ path: e.absPath, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const numClasses = Math.max(index.classNames.length, ...Array.from(labels.subarray(0, n), (l) => l + 1));
  if (numClasses < 2) throw new UserError(`${index.root} has only one class.`, 'A classifier needs at least two classes.');
  return { x: x.subarray(0, n * size), labels: labels.subarray(0, n), count: n, shape: [prep.height, prep.width, prep.channels],
    numClasses, classNames: index.classNames.length ? index.classNames : Array.from({ length: numClasses }, (_, i) => `class_${i}`), skipped };
}
