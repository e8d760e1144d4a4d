// What registering a model learns about it (kept in the model record's info): its input, classes and cut points.
import { z } from 'zod';
import { PreprocessingSchema } from './preprocessing';

export const CutPointSummarySchema = z.strictObject({
  name: z.string(),
  /** Output shape without the batch axis. */
  shape: z.array(z.number().int()),
  blockOutput: z.boolean(),
});

export const ModelInfoSchema = z.strictObject({
  preprocessing: PreprocessingSchema,
  numClasses: z.number().int().nonnegative(),
  /** Valid cut points in network order (docs/methods.md §1.1). */
  cutPoints: z.array(CutPointSummarySchema),
  /** The default L, L-1, L-2 (deepest first); fewer when the model has fewer block outputs. */
  defaultLayers: z.array(z.string()),
  parameters: z.number().int().nonnegative(),
  /** The architecture id when the folder says (training-log.json of `dixw train`), else null. */
  arch: z.string().nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
