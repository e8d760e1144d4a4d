// What each kind of item keeps on its row (ItemResult.output), written by the engine executor and read back by the
// service's summaries. Validated on the way out, so a summary never trusts a hand-edited or foreign row.
import { z } from 'zod';
import { ModelInfoSchema } from './model-info';

/** One method's map for one image: how it was made, and whether it came from the store. */
export const ExplainedMethodSchema = z.strictObject({
  id: z.string(),
  version: z.number().int(),
  params: z.record(z.string(), z.json()),
  cutPoints: z.array(z.string()),
  /** Compute time; null when the stored map was reused. */
  millis: z.number().nullable(),
  reused: z.boolean(),
  /** The map's content address (main/store/map-key.ts). */
  key: z.string(),
});
export type ExplainedMethod = z.infer<typeof ExplainedMethodSchema>;

export const ExplainItemOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('image'),
    /** Path relative to the dataset root. */
    image: z.string(),
    label: z.number().int().nullable(),
    targetClass: z.number().int(),
    predictedClass: z.number().int(),
    /** Softmax probability of the target class on the clean input. */
    targetProbability: z.number(),
    methods: z.array(ExplainedMethodSchema),
  }),
  /** The image could not be used (gone, changed since indexing, undecodable); the job went on. */
  z.strictObject({ kind: z.literal('skipped'), image: z.string(), reason: z.string() }),
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
