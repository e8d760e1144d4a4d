// What every stored result carries (SPEC Sec. 6), so that a figure can be traced to the exact run that made it.
import { z } from 'zod';

/** Compute backends in order of preference (DESIGN.md "Process model"). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendNameSchema = z.enum(BACKEND_NAMES, { error: `backend must be one of ${BACKEND_NAMES.join(', ')}` });
export type BackendName = z.infer<typeof BackendNameSchema>;

export const BackendInfoSchema = z.object({
  name: BackendNameSchema,
  version: z.string(),
  /** e.g. "simd, 1 thread" for wasm, "CUDA" for the GPU build. */
  detail: z.string(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

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
});
export type Provenance = z.infer<typeof ProvenanceSchema>;
