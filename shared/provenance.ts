// What every stored result carries (docs/methods.md §6), so that a figure can be traced to the exact run that made it.
import { z } from 'zod';

/** Compute backends in order of preference (DESIGN.md "Process model"; webgpu only on a hardware adapter, README). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendNameSchema = z.enum(BACKEND_NAMES, { error: `backend must be one of ${BACKEND_NAMES.join(', ')}` });
export type BackendName = z.infer<typeof BackendNameSchema>;

export const BackendInfoSchema = z.object({
  name: BackendNameSchema,
  version: z.string(),
  /** e.g. "simd, 1 thread" for wasm, "CUDA" for the GPU build. */
  detail: z.string(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

/**
 * How far a path method's attribution is from completeness (Captum's convergence delta): the sum of the attribution
 * against f_k(x) - f_k(baseline), at the input (IG) or per cut point (DIX3-GRADS; the worst layer is kept). A large
 * relative gap says N (--steps) is too small for this image.
 */
export const CompletenessSchema = z.object({
  attributionSum: z.number(),
  /** f_k(x) - f_k^l(z^l). */
  expected: z.number(),
  /** attributionSum - expected. */
  delta: z.number(),
  /** |delta| / |expected| (Infinity-safe: |delta| when expected is 0). */
  relativeGap: z.number(),
  /** The cut point it was measured at ('input' for IG). */
  at: z.string(),
});
export type Completeness = z.infer<typeof CompletenessSchema>;

export const ProvenanceSchema = z.object({
  /** Method or metric id and its protocol version, e.g. { id: 'dix3', version: 1 }. */
  id: z.string(),
  version: z.number().int(),
  /** Every parameter as resolved (defaults filled in). */
  params: z.record(z.string(), z.unknown()),
  /** Cut points actually used, by layer name. */
  cutPoints: z.array(z.string()),
  targetClass: z.number().int().nullable(),
  modelHash: z.string(),
  datasetHash: z.string().nullable(),
  seed: z.number().int().nullable(),
  backend: BackendInfoSchema,
  appVersion: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Path methods with phi = g only: the completeness gap of this map (not part of its content address). */
  completeness: CompletenessSchema.optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;
