// What each kind of item keeps on its row (ItemResult.output), written by the engine executor and read back by the
// service's summaries. Validated on the way out, so a summary never trusts a hand-edited or foreign row.
import { z } from 'zod';
import { ModelInfoSchema } from './model-info';
import { CompletenessSchema } from './provenance';

/**
 * How one map for one image was made and whether it came from the store: what an explain job's method and a metrics
 * job's configuration both record. Composed by spreading its shape (not .extend) so each output keeps its field order.
 */
const MapUseSchema = z.strictObject({
  version: z.number().int(),
  params: z.record(z.string(), z.json()),
  cutPoints: z.array(z.string()),
  /** Compute time of the map; null when the stored map was reused. */
  millis: z.number().nullable(),
  reused: z.boolean(),
  /** The map's content address (main/store/map-key.ts). */
  key: z.string(),
  /** Path methods with phi = g: the completeness gap when the map was computed (absent when reused or not a path method). */
  completeness: CompletenessSchema.optional(),
});

/** One method's map for one image. */
export const ExplainedMethodSchema = z.strictObject({ id: z.string(), ...MapUseSchema.shape });
export type ExplainedMethod = z.infer<typeof ExplainedMethodSchema>;

/** What an explain or metrics item records about its image: the class explained and what the model made of it. */
const ClassifiedImageSchema = z.strictObject({
  kind: z.literal('image'),
  /** Path relative to the dataset root. */
  image: z.string(),
  label: z.number().int().nullable(),
  targetClass: z.number().int(),
  predictedClass: z.number().int(),
  /** Softmax probability of the target class on the clean input. */
  targetProbability: z.number(),
});

/** The image could not be used (gone, changed since indexing, undecodable); the job went on. */
export const SkippedItemOutputSchema = z.strictObject({ kind: z.literal('skipped'), image: z.string(), reason: z.string() });
export type SkippedItemOutput = z.infer<typeof SkippedItemOutputSchema>;

export const ExplainItemOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...ClassifiedImageSchema.shape, methods: z.array(ExplainedMethodSchema) }),
  SkippedItemOutputSchema,
]);
export type ExplainItemOutput = z.infer<typeof ExplainItemOutputSchema>;

export const EpochLogSchema = z.strictObject({
  epoch: z.number().int(),
  loss: z.number(),
  trainAccuracy: z.number(),
  valAccuracy: z.number().nullable(),
  seconds: z.number(),
});

export const TrainItemOutputSchema = z.strictObject({
  kind: z.literal('trained'),
  out: z.string(),
  modelHash: z.string(),
  arch: z.string(),
  input: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  images: z.number().int(),
  skipped: z.array(z.strictObject({ path: z.string(), reason: z.string() })),
  epochs: z.array(EpochLogSchema),
  finalTrainAccuracy: z.number(),
  seconds: z.number(),
  /** What registering the written model needs, computed where the model was already loaded. */
  model: ModelInfoSchema,
});
export type TrainItemOutput = z.infer<typeof TrainItemOutputSchema>;

/** One configuration's map for one image of a metrics job: the method, how the map was made, and whether it was reused. */
export const ScoredVariantSchema = z.strictObject({
  /** The table column (the method id, or an ablation configuration's name). */
  name: z.string(),
  method: z.string(),
  ...MapUseSchema.shape,
});
export type ScoredVariant = z.infer<typeof ScoredVariantSchema>;

export const MetricsItemOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...ClassifiedImageSchema.shape,
    variants: z.array(ScoredVariantSchema),
    /** Milliseconds spent in the metrics (all maps), besides the maps themselves. */
    metricMillis: z.number(),
  }),
  SkippedItemOutputSchema,
]);
export type MetricsItemOutput = z.infer<typeof MetricsItemOutputSchema>;

/** One randomization step of a sanity test: 'trained' (step 0), the layer it randomizes, or 'random-labels'. */
export const SanityStepSchema = z.strictObject({ step: z.number().int(), label: z.string(), layers: z.array(z.string()) });
export type SanityStep = z.infer<typeof SanityStepSchema>;

const PairModelSchema = z.strictObject({ path: z.string(), hash: z.string(), epochs: z.number().int(), finalTrainAccuracy: z.number() });

export const SanityItemOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('image'),
    image: z.string(),
    label: z.number().int().nullable(),
    /** Every step with the class its maps explain and the model's top-1. */
    steps: z.array(z.strictObject({ step: z.number().int(), label: z.string(), targetClass: z.number().int(), predictedClass: z.number().int(), millis: z.number() })),
  }),
  SkippedItemOutputSchema,
  /** Data randomization with `train`: the pair of models the job trained. */
  z.strictObject({ kind: z.literal('trained-pair'), trueLabels: PairModelSchema, randomLabels: PairModelSchema, seconds: z.number() }),
]);
export type SanityItemOutput = z.infer<typeof SanityItemOutputSchema>;

/** Summary of one (step, method, measure) over images: mean, sample std and a 95% bootstrap interval of the mean. */
export interface SanityStepSummary {
  step: number;
  label: string;
  method: string;
  measure: string;
  n: number;
  undefinedCount: number;
  mean: number | null;
  std: number | null;
  ci95: [number, number] | null;
}
