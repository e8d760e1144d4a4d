// The tables of explain and train jobs: per image (the true, explained and predicted class by name, the probability of
// the explained class, each method's time) and per epoch (loss and accuracies). Class names come from the job's
// dataset (the model's own names when the dataset has none); the method columns use the methods' display names in
// LaTeX and markdown, their ids in CSV and JSON.
import type { ExplainJobSummary, TrainJobSummary } from '../../../shared/service-api';
import type { JobRecord } from '../../../shared/store-types';
import { getDataset } from '../../store/datasets-repo';
import { getModel } from '../../store/models-repo';
import type { WorkbenchService } from '../service';
import { ServiceError } from '../service-error';
import type { Table } from './registry';
import { methodName } from '../../../shared/method-display';

const round = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

/** The class names a job's labels and predictions index: the dataset's, else the model's. */
export function jobClassNames(service: WorkbenchService, job: JobRecord): string[] {
  const dataset = job.datasetId !== null ? getDataset(service.store, job.datasetId) : undefined;
  if (dataset && dataset.classes.length > 0) return dataset.classes;
  const model = job.modelId !== null ? getModel(service.store, job.modelId) : undefined;
  const names = (model?.info as { preprocessing?: { classNames?: unknown } } | undefined)?.preprocessing?.classNames;
  return Array.isArray(names) ? names.map(String) : [];
}

export async function explainTable(service: WorkbenchService, job: JobRecord): Promise<Table> {
  const summary = (await service.results.summary(job.id)) as ExplainJobSummary | null;
  if (summary?.kind !== 'explain') throw new ServiceError('unsupported', `Job ${job.id} has no summary table yet.`);
  const names = jobClassNames(service, job);
  const cls = (i: number | null) => (i === null ? null : (names[i] ?? String(i)));
  const methods = summary.methods.map((m) => m.id);
  return {
    title: `Explained images: true, explained and predicted class, probability of the explained class and compute time per method (${summary.images.length} image(s))`,
    label: `tab:explain-job-${job.id}`,
    columns: ['image', 'label', 'target', 'predicted', 'p(target)', ...methods.map((m) => `${m} ms`)],
    displayColumns: ['image', 'true class', 'explained class', 'predicted class', 'p(explained)', ...methods.map((m) => `${methodName(m)} (ms)`)],
    rows: summary.images.map((im) => [im.image, cls(im.label), cls(im.targetClass), cls(im.predictedClass), round(im.targetProbability, 4), ...methods.map((m) => round(im.millis[m], 1))]),
  };
}

export async function trainTable(service: WorkbenchService, job: JobRecord): Promise<Table> {
  const summary = (await service.results.summary(job.id)) as TrainJobSummary | null;
  if (summary?.kind !== 'train') throw new ServiceError('unsupported', `Job ${job.id} has no summary table yet.`);
  const epochs = summary.result?.epochs ?? [];
  return {
    title: `Training: loss, training and validation accuracy and time per epoch (${summary.result?.images ?? 0} image(s))`,
    label: `tab:train-job-${job.id}`,
    columns: ['epoch', 'loss', 'train accuracy', 'validation accuracy', 'seconds'],
    rows: epochs.map((e) => [e.epoch, round(e.loss, 4), round(e.trainAccuracy, 4), round(e.valAccuracy, 4), round(e.seconds, 2)]),
  };
}
