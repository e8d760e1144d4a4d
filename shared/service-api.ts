// The service's contract (main/service): the inputs every caller (CLI, web server, Electron IPC) may send, validated
// with zod at the boundary, and the shapes it answers with. Transport-free: plain data, no functions.
import { z } from 'zod';
import { PreprocessingSchema } from './preprocessing';
import type { JsonValue } from './json';
import type { ExplainedMethod } from './job-outputs';
import type { JobRate } from './job-rate';
import { JOB_STATES, type ItemState } from './job-state';
import type { BackendInfo, Provenance } from './provenance';
import type { ModelInfo } from './model-info';
import type { DatasetRecord, ImageRecord, JobEventRecord, JobRecord, MapRecord, ModelRecord } from './store-types';
import type { SanityItemOutput, SanityStepSummary, TrainItemOutput } from './job-outputs';
import type { MetricsJobSummary } from './metrics-summary';

export const RecordIdSchema = z.number({ error: 'an id is a number' }).int().positive({ error: 'ids are positive integers' });

/** `dixw dataset add DIR [--name]`, `dixw model add DIR [--name]`. */
export const AddFolderInputSchema = z.strictObject({
  path: z.string().min(1, { error: 'give the folder to add' }),
  name: z.string().min(1).max(200).optional(),
});
export type AddFolderInput = z.infer<typeof AddFolderInputSchema>;

/**
 * How an ONNX model's images are prepared, given when it is added: 'imagenet' (torchvision's Resize(256) +
 * CenterCrop(224) + ImageNet mean/std), 'none' (pixels scaled to [0, 1] at the graph's input size), or the whole
 * preprocessing (shared/preprocessing.ts). LayersModel folders keep theirs in preprocessing.json.
 */
export const PreprocessingChoiceSchema = z.union([z.literal('imagenet'), z.literal('none'), PreprocessingSchema]);
export type PreprocessingChoice = z.infer<typeof PreprocessingChoiceSchema>;

export const AddModelInputSchema = z.strictObject({
  path: z.string().min(1, { error: 'give the model folder or .onnx file to add' }),
  name: z.string().min(1).max(200).optional(),
  preprocessing: PreprocessingChoiceSchema.optional(),
  /** Class names in output order (e.g. ImageNet's 1000), stored with the preprocessing. */
  classNames: z.array(z.string()).min(1).optional(),
});
export type AddModelInput = z.infer<typeof AddModelInputSchema>;

/** A registered id, or a folder path (registered on first use). Digits only = an id. */
export const InputRefSchema = z.union([RecordIdSchema, z.string().min(1)]);
export type InputRef = z.infer<typeof InputRefSchema>;

export const SubmitJobInputSchema = z.strictObject({
  /** A job spec (shared/job-spec.ts) whose model and dataset are ids or paths; validated by the service. */
  spec: z.unknown(),
  /** Higher runs first; equal priorities run in queue order. */
  priority: z.number().int().min(-1000).max(1000).optional(),
});
export type SubmitJobInput = z.infer<typeof SubmitJobInputSchema>;

export const ListJobsInputSchema = z
  .strictObject({
    states: z.array(z.enum(JOB_STATES)).optional(),
    limit: z.number().int().positive().optional(),
  })
  .optional();
export type ListJobsInput = z.infer<typeof ListJobsInputSchema>;

export const JobMapsQuerySchema = z.strictObject({
  jobId: RecordIdSchema,
  method: z.string().min(1).optional(),
  limit: z.number().int().positive().max(10_000).optional(),
  offset: z.number().int().nonnegative().optional(),
});
export type JobMapsQuery = z.infer<typeof JobMapsQuerySchema>;

// ---- answers ----

export interface DatasetChanges {
  added: number;
  removed: number;
  changed: number;
}

export interface AddDatasetResult {
  dataset: DatasetRecord;
  /** added: new; unchanged: the folder was registered with the same content; reindexed: it had changed. */
  status: 'added' | 'unchanged' | 'reindexed';
  changes: DatasetChanges | null;
  previousHash: string | null;
  /** What indexing did not follow or count (a link loop, a second link to the same images), one line each. */
  warnings?: string[];
}

export interface AddModelResult {
  model: ModelRecord;
  /** updated: the folder was registered but its files had changed; the record now has the new hash. */
  status: 'added' | 'unchanged' | 'updated';
  previousHash: string | null;
}

export interface DatasetDetails {
  dataset: DatasetRecord;
  /** Images per class name (null = unlabelled). */
  perClass: Record<string, number>;
  masks: number;
  /** The first few images in index order. */
  sample: ImageRecord[];
  /** Unfinished jobs using it (it cannot be removed while there are any). */
  usedBy: number[];
}

export interface ModelDetails {
  model: ModelRecord;
  info: ModelInfo | null;
  usedBy: number[];
}

export interface ExplainJobSummary {
  kind: 'explain';
  jobId: number;
  state: JobRecord['state'];
  model: { path: string; hash: string };
  dataset: { path: string; hash: string; images: number };
  methods: Array<{ id: string; version: number; params: Record<string, JsonValue> }>;
  backend: BackendInfo | null;
  images: Array<{
    image: string;
    label: number | null;
    targetClass: number;
    predictedClass: number;
    targetProbability: number;
    /** Compute time per method; a reused map has none. */
    millis: Record<string, number>;
    reused: string[];
    /** Relative completeness gap per path method with phi = g (IG, DIX3-GRADS), for the maps computed. */
    completenessGap: Record<string, number>;
  }>;
  skipped: Array<{ image: string; reason: string }>;
  /** Median compute milliseconds per image, per method (over the maps computed, not reused). */
  medianMillis: Record<string, number | null>;
  /** Per path method: the median and largest relative completeness gap over the images (null: no computed map). */
  completenessGap: Record<string, { median: number; max: number } | null>;
  mapsComputed: number;
  mapsReused: number;
  seconds: number | null;
}

export interface TrainJobSummary {
  kind: 'train';
  jobId: number;
  state: JobRecord['state'];
  result: Omit<TrainItemOutput, 'kind' | 'model'> | null;
  /** The model it registered, once done. */
  modelId: number | null;
  backend: BackendInfo | null;
}

export interface SanityJobSummary {
  kind: 'sanity';
  jobId: number;
  state: JobRecord['state'];
  test: 'cascading' | 'independent' | 'data';
  model: { path: string; hash: string } | null;
  dataset: { path: string; hash: string; images: number };
  methods: string[];
  measures: string[];
  seed: number;
  /** Step 0 first, with the layers each step holds randomized. */
  steps: Array<{ step: number; label: string; layers: string[] }>;
  /** Per step, method and measure over the images committed so far. */
  summaries: SanityStepSummary[];
  /** Data randomization with `train`: the two models the job trained. */
  trainedPair: Extract<SanityItemOutput, { kind: 'trained-pair' }> | null;
  skipped: Array<{ image: string; reason: string }>;
  /** Median milliseconds per image and step, all methods together. */
  medianMillisPerStep: number | null;
  backend: BackendInfo | null;
  seconds: number | null;
}

export type JobSummary = ExplainJobSummary | TrainJobSummary | SanityJobSummary | MetricsJobSummary;

export interface JobDetails {
  job: JobRecord;
  items: Record<ItemState, number>;
  events: JobEventRecord[];
  summary: JobSummary | null;
  /** Items per second and ETA from the finish times of its committed items (local workers and fleet alike). */
  rate: JobRate;
}

/** A stored map of a job, decoded: values within maxError of the computed map after min-max normalization. */
export interface JobMap {
  record: MapRecord;
  itemKey: string;
  reused: boolean;
  /** Row-major record.height x record.width (below the source size if it was stored at a lower resolution). */
  values: Float32Array;
  provenance: Provenance;
}

export type { ExplainedMethod };

// ---- events ----

/** What the service reports while it runs jobs (progress bars, the job panel, server-sent events). */
export type ServiceEvent =
  | { type: 'job-queued'; jobId: number }
  | { type: 'job-started'; jobId: number; itemsDone: number; itemsTotal: number; resumed: boolean }
  /** itemName: what the item is called for a person (the image's path in its dataset), where the service knows it. */
  | { type: 'item-progress'; jobId: number; itemKey: string; itemName?: string; fraction: number; note?: string }
  | {
      type: 'item-committed';
      jobId: number;
      itemKey: string;
      itemName?: string;
      itemsDone: number;
      itemsTotal: number;
      mapsStored: number;
      mapsReused: number;
      durationMs: number;
    }
  | { type: 'worker-crashed'; jobId: number; itemKey: string; crashes: number; cause: string }
  | { type: 'job-stopped'; jobId: number; state: JobRecord['state']; error: string | null }
  | { type: 'model-registered'; jobId: number; modelId: number; path: string }
  | { type: 'log'; jobId: number | null; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'error'; message: string }
  | { type: 'idle' };

export interface SubmitJobResult {
  job: JobRecord;
  /** What the spec's dataset resolved to (a folder may have been registered or re-indexed just now). */
  dataset: AddDatasetResult | null;
  model: AddModelResult | null;
}
