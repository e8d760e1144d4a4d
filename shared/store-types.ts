// Records as the store returns them (camelCase, JSON columns parsed). The service hands these to the UI as they are.
import type { JsonValue } from './json';
import type { ItemState, JobState } from './job-state';
import type { JobInputs, JobKind, JobSpec } from './job-spec';
import type { BackendInfo, Provenance } from './provenance';

/** ISO 8601 UTC timestamps throughout. */
export type Timestamp = string;

export interface DatasetRecord {
  id: number;
  name: string;
  /** Absolute folder path. */
  root: string;
  contentHash: string;
  classes: string[];
  imageCount: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ImageRecord {
  id: number;
  datasetId: number;
  /** Position in the dataset's index. */
  ordinal: number;
  /** Path relative to the dataset root, with forward slashes. */
  relPath: string;
  contentHash: string;
  label: number | null;
  className: string | null;
  /** Ground-truth mask, relative to the dataset root. */
  maskPath: string | null;
  width: number | null;
  height: number | null;
}

export interface ModelRecord {
  id: number;
  name: string;
  /** Absolute folder path. */
  path: string;
  contentHash: string;
  arch: string | null;
  /** Whatever the engine learned when registering it (input size, classes, cut points...). */
  info: Record<string, JsonValue>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** The environment a job ran in; each result row has its own full Provenance. */
export interface JobProvenance {
  appVersion: string;
  node: string;
  platform: string;
  arch: string;
  backend: BackendInfo | null;
}

export interface JobRecord {
  id: number;
  kind: JobKind;
  spec: JobSpec;
  inputs: JobInputs;
  state: JobState;
  priority: number;
  itemsTotal: number;
  itemsDone: number;
  /** itemsDone / itemsTotal, 1 for a job without items. */
  progress: number;
  mapsReused: number;
  error: string | null;
  provenance: JobProvenance | null;
  modelId: number | null;
  datasetId: number | null;
  /** The process running it ("host|pid|nonce"), null when none. */
  runner: string | null;
  createdAt: Timestamp;
  startedAt: Timestamp | null;
  finishedAt: Timestamp | null;
  updatedAt: Timestamp;
}

export interface ItemRecord {
  id: number;
  jobId: number;
  ordinal: number;
  key: string;
  payload: JsonValue;
  state: ItemState;
  /** Times it was sent to a worker. */
  attempts: number;
  /** Times a worker died while running it. */
  crashes: number;
  error: string | null;
  output: JsonValue | null;
  startedAt: Timestamp | null;
  finishedAt: Timestamp | null;
  durationMs: number | null;
}

export interface MapRecord {
  id: number;
  /** Content address: same model, image, method, version and parameters => same key. */
  key: string;
  modelHash: string;
  imageHash: string;
  imageId: number | null;
  method: string;
  methodVersion: number;
  /** Stored grid; smaller than the source when the map was stored at a lower resolution. */
  height: number;
  width: number;
  sourceHeight: number;
  sourceWidth: number;
  encoding: string;
  /** Largest deviation of the stored map from the computed one, after min-max normalization. */
  maxError: number;
  minValue: number;
  maxValue: number;
  byteLength: number;
  provenance: Provenance;
  /** The job that computed it (null once that job is removed). */
  jobId: number | null;
  createdAt: Timestamp;
}

export interface ScoreRecord {
  id: number;
  jobId: number;
  itemId: number;
  metric: string;
  method: string | null;
  imageId: number | null;
  value: number | null;
  detail: JsonValue | null;
  provenance: Provenance;
}

export interface SimilarityRecord {
  id: number;
  jobId: number;
  itemId: number;
  test: 'cascading' | 'independent' | 'data';
  method: string;
  imageId: number | null;
  step: number;
  layer: string | null;
  measure: string;
  value: number | null;
  provenance: Provenance;
}

export interface ExportRecord {
  id: number;
  jobId: number | null;
  /** 'figure', 'table', 'maps', ... */
  kind: string;
  /** 'png', 'svg', 'pdf', 'csv', 'tex', 'json', 'npy', ... */
  format: string;
  path: string;
  params: Record<string, JsonValue>;
  createdAt: Timestamp;
}

export interface JobEventRecord {
  id: number;
  jobId: number;
  at: Timestamp;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}
