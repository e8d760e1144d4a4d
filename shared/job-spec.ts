// What a user asks for: one spec per job, validated at run time wherever it enters (CLI, UI, HTTP, the worker).
// Unknown fields are refused, never ignored, so a typo cannot silently change an experiment.
import { z } from 'zod';
import { COLORMAP_NAMES } from './colormap';
import { BackendNameSchema } from './provenance';
import { METHOD_OPTION_FIELDS } from './method-options';
import { METRIC_OPTIONS } from './metric-catalogue';
import { strayOptionProblems } from './stray-options';

export const JOB_KINDS = ['explain', 'train', 'sanity', 'metrics'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A registered id or a path; the service resolves it into JobInputs when the job is queued. */
const ModelRef = z.string().min(1, { error: 'model must name a registered model id or a model folder' });
const DatasetRef = z.string().min(1, { error: 'dataset must name a registered dataset id or a dataset folder' });

const NAME_PATTERN = /^[a-z0-9][a-z0-9+._-]*$/;
const MethodId = z.string().regex(NAME_PATTERN, { error: 'method ids are lower case, e.g. "dix3" or "gradcam++"' });
const MetricId = z.string().regex(NAME_PATTERN, { error: 'metric ids are lower case, e.g. "ins" or "sic"' });
const MethodList = z
  .array(MethodId)
  .min(1, { error: 'name at least one method' })
  .refine((list) => new Set(list).size === list.length, { error: 'a method is listed twice' });
const Limit = z.number().int().positive({ error: 'limit must be a positive number of images' });
const Seed = z.number().int().nonnegative({ error: 'seed must be a non-negative integer' });
const TargetClass = z.number().int().nonnegative({ error: 'targetClass must be a class index (0, 1, ...)' });
const PerClass = z.number().int().positive({ error: 'perClass must be a positive number of images' });

/**
 * How the methods run and on which images: the same fields, in the same order, in sanity and metrics specs. The
 * method options (layers, steps, baseline, samples, ...) are declared in shared/method-options.ts; each method reads
 * those its schema names (shared/method-catalogue.ts), and one that no selected method reads is refused.
 */
const MethodRunFields = {
  ...METHOD_OPTION_FIELDS,
  /** Interpolants per forward/backward batch of the methods. */
  batchSize: z.number().int().positive().optional(),
  limit: Limit.optional(),
  perClass: PerClass.optional(),
};

/** How many images keep their maps in the store: the first N items, all, or none (scores are always kept). */
export const KeepMapsSchema = z.union([z.number().int().nonnegative(), z.literal('all'), z.literal('none')], {
  error: 'keepMaps must be a number of images, "all" or "none"',
});
export type KeepMaps = z.infer<typeof KeepMapsSchema>;

/** Files an explain job writes as it goes, besides the store (the CLI's --npy and --png). Absolute paths. */
export const ExplainExportSchema = z.strictObject({
  /** OUT/<method>/<image>.npy raw maps, OUT/_input/<image>.npy inputs, OUT/targets.json. */
  npy: z.string().min(1).optional(),
  /** OUT/<method>/<image>.png colormapped overlays. */
  png: z.string().min(1).optional(),
  colormap: z.enum(COLORMAP_NAMES as readonly ['jet', 'viridis', 'inferno', 'gray'], { error: `colormap must be one of ${COLORMAP_NAMES.join(', ')}` }).optional(),
  opacity: z.number().min(0).max(1).optional(),
  /** The overlay PNG starts with the input image (without the map). */
  pngInput: z.boolean().optional(),
  /** The overlay alone at the input's size, without the colour bar (pixel-exact overlays for other tools). */
  pngPlain: z.boolean().optional(),
});
export type ExplainExport = z.infer<typeof ExplainExportSchema>;

export const ExplainSpecSchema = z.strictObject({
  kind: z.literal('explain'),
  model: ModelRef,
  dataset: DatasetRef,
  methods: MethodList,
  ...METHOD_OPTION_FIELDS,
  limit: Limit.optional(),
  targetClass: TargetClass.optional(),
  keepMaps: KeepMapsSchema.default('all'),
  seed: Seed.optional(),
  /** At most this many images of each class (the first by path), before `limit`. */
  perClass: PerClass.optional(),
  /** Interpolants per forward/backward batch. */
  batchSize: z.number().int().positive().optional(),
  /** Forces a compute backend; default: the setting (DIXW_BACKEND), else the best available. */
  backend: BackendNameSchema.optional(),
  export: ExplainExportSchema.optional(),
});

export const TrainSpecSchema = z.strictObject({
  kind: z.literal('train'),
  dataset: DatasetRef,
  /** An architecture id of the engine's registry, e.g. "small-cnn", "resnet18". */
  arch: z.string().min(1),
  epochs: z.number().int().positive().max(100_000),
  /** Input size the model is built for; default: the dataset's image size. */
  input: z
    .strictObject({
      height: z.number().int().positive(),
      width: z.number().int().positive(),
      channels: z.union([z.literal(1), z.literal(3)]),
    })
    .optional(),
  /** Train on a fixed seeded permutation of the labels (data randomization test, docs/methods.md §5.5). */
  permuteLabels: z.boolean().default(false),
  seed: Seed,
  /** Folder the trained model is written to; it is registered as a model when the job is done. */
  out: z.string().min(1),
  /** Replace a model already in `out` (the CLI's --force); without it such a folder is refused when the job is queued. */
  overwrite: z.boolean().optional(),
  /** Name of the registered model; default: the folder's name. */
  name: z.string().min(1).optional(),
  /** Channel-width multiplier of the architecture. */
  width: z.number().positive().optional(),
  batchNorm: z.boolean().optional(),
  batchSize: z.number().int().positive().optional(),
  learningRate: z.number().positive().optional(),
  valSplit: z.number().min(0).max(0.9).optional(),
  stopAtAccuracy: z.number().min(0).max(1).optional(),
  limit: Limit.optional(),
  backend: BackendNameSchema.optional(),
});

/** Data randomization with `train`: both models (true and permuted labels) trained by the job itself. */
export const SanityTrainSchema = z.strictObject({
  /** The training images: a registered dataset id or a folder (resolved to an absolute folder when queued). */
  dataset: DatasetRef,
  arch: z.string().min(1),
  epochs: z.number().int().positive().max(100_000),
  /** Epoch budget of the permuted-label model; default twice `epochs`. */
  randomEpochs: z.number().int().positive().max(100_000).optional(),
  /** Training accuracy both models must reach (default 0.95, docs/methods.md §5.5). */
  targetAccuracy: z.number().min(0).max(1).optional(),
  width: z.number().positive().optional(),
  batchNorm: z.boolean().optional(),
  batchSize: z.number().int().positive().optional(),
  learningRate: z.number().positive().optional(),
  limit: Limit.optional(),
  /** Where the two models go (OUT/true-labels, OUT/random-labels); default: beside the database. */
  out: z.string().min(1).optional(),
});
export type SanityTrain = z.infer<typeof SanityTrainSchema>;

export const SanitySpecSchema = z
  .strictObject({
    kind: z.literal('sanity'),
    /** The trained model (for data randomization: the one trained on true labels); not with `train`. */
    model: ModelRef.optional(),
    /** The images explained at every step. */
    dataset: DatasetRef,
    test: z.enum(['cascading', 'independent', 'data']),
    methods: MethodList,
    ...MethodRunFields,
    /** Similarity measure ids (default: all of docs/methods.md §5.7). */
    measures: z.array(z.string().min(1)).min(1).optional(),
    /** Randomize from the output down (default) or from the input up. */
    layersFrom: z.enum(['top', 'bottom']).default('top'),
    includeBatchNorm: z.boolean().default(false),
    batchNormStats: z.enum(['keep', 'reset']).default('keep'),
    /** Data randomization only: the model trained on permuted labels. */
    randomModel: ModelRef.optional(),
    /** Data randomization only: train both models in the job. */
    train: SanityTrainSchema.optional(),
    /** docs/methods.md §5.6: the randomized model's own top-1 by default. */
    explainedClass: z.enum(['randomized', 'original']).default('randomized'),
    keepMaps: KeepMapsSchema.default('none'),
    seed: Seed.default(0),
    backend: BackendNameSchema.optional(),
    /** --npy: OUT/<method>/step-<k>/<image>.npy (absolute path). */
    export: z.strictObject({ npy: z.string().min(1) }).optional(),
  })
  .superRefine((s, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (s.test !== 'data' && (s.randomModel || s.train)) problem(`randomModel and train are only for the data randomization test, not ${s.test}`);
    if (s.test === 'data' && !s.randomModel && !s.train) problem('the data randomization test needs randomModel (a model trained on permuted labels) or train {arch, epochs}');
    if (s.randomModel && s.train) problem('give randomModel or train, not both');
    if (s.train && s.model) problem('with train, the job trains both models itself; leave model out');
    if (!s.train && !s.model) problem('model is required');
  });

/** One configuration of a method, a column of a metrics table (the ablation's rows): its own N, cut points, baseline. */
export const MethodVariantSchema = z.strictObject({
  /** The column's name, e.g. "dix3 N=20 L=a,b"; unique within the job. */
  name: z.string().min(1).max(200),
  method: MethodId,
  steps: METHOD_OPTION_FIELDS.steps,
  layers: METHOD_OPTION_FIELDS.layers,
  baseline: METHOD_OPTION_FIELDS.baseline,
});
export type MethodVariant = z.infer<typeof MethodVariantSchema>;

export const MetricsSpecSchema = z.strictObject({
  kind: z.literal('metrics'),
  model: ModelRef,
  dataset: DatasetRef,
  methods: MethodList,
  /** Metric ids, or the groups "seg" (pa, miou, map, mf1) and "all"; the service stores them expanded. */
  metrics: z.array(MetricId).min(1, { error: 'name at least one metric' }),
  /** Named configurations (ablations); default one per method with the options below. Each method must be in methods. */
  variants: z.array(MethodVariantSchema).min(1).optional(),
  ...MethodRunFields,
  targetClass: TargetClass.optional(),
  /** Maps are stored so that the next metrics or explain job on the same images reuses them. */
  keepMaps: KeepMapsSchema.default('all'),
  /** Seeds SmoothGrad's noise, SIC/AIC's random pixels and the bootstrap; the service fills in 0. */
  seed: Seed.optional(),
  /** Perturbed images per model call (speed and memory only; results do not depend on it). */
  metricBatchSize: z.number().int().positive().max(4096).optional(),
  /** SIC/AIC protocol options (stored on every score's protocol card; declared in shared/metric-catalogue.ts). */
  webpQuality: METRIC_OPTIONS.webpQuality.optional(),
  minProbability: METRIC_OPTIONS.minProbability.optional(),
  aggregation: METRIC_OPTIONS.aggregation.optional(),
  /** Bootstrap resamples per table cell (default 2000). */
  resamples: z.number().int().min(100).max(100_000).optional(),
  backend: BackendNameSchema.optional(),
});

export const JobSpecSchema = z.discriminatedUnion('kind', [ExplainSpecSchema, TrainSpecSchema, SanitySpecSchema, MetricsSpecSchema]);
export type JobSpec = z.infer<typeof JobSpecSchema>;
/** What a caller may write: defaults not yet filled in. */
export type JobSpecInput = z.input<typeof JobSpecSchema>;
export type ExplainSpec = z.infer<typeof ExplainSpecSchema>;
export type TrainSpec = z.infer<typeof TrainSpecSchema>;
export type SanitySpec = z.infer<typeof SanitySpecSchema>;
export type MetricsSpec = z.infer<typeof MetricsSpecSchema>;

const SCHEMA_BY_KIND: Record<JobKind, z.ZodObject> = {
  explain: ExplainSpecSchema,
  train: TrainSpecSchema,
  sanity: SanitySpecSchema,
  metrics: MetricsSpecSchema,
};

/** A spec that failed validation; `problems` holds one readable sentence per issue. */
export class JobSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid job spec: ${problems.join('; ')}`);
    this.name = 'JobSpecError';
  }
}

export interface ParseJobSpecOptions {
  /**
   * Known method ids (the engine's registry); when given, others are refused by name, and so are method and metric
   * options that none of the spec's methods or metrics reads (a spec being submitted, not one read back).
   */
  methods?: readonly string[];
  /** Known metric ids, likewise. */
  metrics?: readonly string[];
}

/** Validates and fills defaults; throws JobSpecError naming every unknown field or bad value. */
export function parseJobSpec(input: unknown, options: ParseJobSpecOptions = {}): JobSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new JobSpecError(['a job spec must be an object with a "kind" field']);
  }
  const kind = (input as { kind?: unknown }).kind;
  if (!(JOB_KINDS as readonly unknown[]).includes(kind)) {
    const got = kind === undefined ? 'no "kind" field' : `kind ${JSON.stringify(kind)}`;
    throw new JobSpecError([`${got}; expected one of ${JOB_KINDS.join(', ')}`]);
  }
  const schema = SCHEMA_BY_KIND[kind as JobKind];
  const result = schema.safeParse(input);
  const problems = result.success ? [] : result.error.issues.map((issue) => describeIssue(kind as JobKind, schema, issue));
  if (result.success) problems.push(...unknownNames(result.data as JobSpec, options));
  if (problems.length > 0) throw new JobSpecError(problems);
  return result.data as JobSpec;
}

function describeIssue(kind: JobKind, schema: z.ZodObject, issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? `${kind} spec` : `${kind} spec field ${formatPath(issue.path)}`;
  if (issue.code === 'unrecognized_keys') {
    const owner = issue.path.length === 0 ? Object.keys(schema.shape) : [];
    const allowed = owner.length > 0 ? ` (allowed: ${owner.join(', ')})` : '';
    const names = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${names}${allowed}`;
  }
  return `${where}: ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function unknownNames(spec: JobSpec, options: ParseJobSpecOptions): string[] {
  const problems: string[] = [];
  if (options.methods && 'methods' in spec) {
    for (const m of spec.methods) {
      if (!options.methods.includes(m)) problems.push(`${spec.kind} spec: unknown method "${m}" (known: ${options.methods.join(', ')})`);
    }
  }
  if (options.metrics && spec.kind === 'metrics') {
    for (const m of spec.metrics) {
      if (!options.metrics.includes(m)) problems.push(`metrics spec: unknown metric "${m}" (known: ${options.metrics.join(', ')})`);
    }
  }
  if (options.methods && problems.length === 0) problems.push(...strayOptionProblems(spec));
  return problems;
}

/** Whether item number `ordinal` (0-based, in item order) stores its maps under a spec's keepMaps. */
export function keepsMaps(keepMaps: KeepMaps, ordinal: number): boolean {
  if (keepMaps === 'all') return true;
  if (keepMaps === 'none') return false;
  return ordinal < keepMaps;
}

/**
 * What the spec's names resolved to when the job was queued: registered ids, paths and content hashes.
 * The worker checks them (a model file that changed since registration fails the job with that reason).
 */
const DatasetInputSchema = z.strictObject({ id: z.number().int().nullable(), root: z.string(), hash: z.string() });
export const JobInputsSchema = z.looseObject({
  model: z.strictObject({ id: z.number().int().nullable(), path: z.string(), hash: z.string() }).optional(),
  dataset: DatasetInputSchema.optional(),
  /** A sanity job that trains its model pair: the dataset it trains on (a fleet worker fetches it by this hash). */
  trainDataset: DatasetInputSchema.optional(),
});
export type JobInputs = z.infer<typeof JobInputsSchema>;
