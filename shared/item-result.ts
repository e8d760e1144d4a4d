// What one finished item yields, as it travels from the worker to the store. Every row carries its provenance.
import { z } from 'zod';
import { BackendInfoSchema, ProvenanceSchema } from './provenance';

/** sha256 hex of the map's content address (main/store/map-key.ts). */
export const MapKeySchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'a map key is 64 lower-case hex digits' });

/** Bytes as structured clone delivers them (Buffer or Uint8Array, over any ArrayBuffer). */
export const BytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { error: 'expected bytes (a Uint8Array)' });

/** A map already encoded by main/store/map-codec.ts; the blob states its own resolution and encoding. */
export const MapResultSchema = z.strictObject({
  key: MapKeySchema,
  imageId: z.number().int().nullable(),
  /** Content hash of the image; part of the key. */
  imageHash: z.string().min(1),
  blob: BytesSchema,
  provenance: ProvenanceSchema,
});
export type MapResult = z.infer<typeof MapResultSchema>;

/** One metric value, e.g. { metric: 'ins', method: 'dix3', imageId: 12, value: 61.2 }. */
export const ScoreResultSchema = z.strictObject({
  metric: z.string().min(1),
  method: z.string().min(1).nullable(),
  imageId: z.number().int().nullable(),
  /** null when the metric is undefined for this input (e.g. an image skipped by SIC). */
  value: z.number().nullable(),
  /** Curves or counts behind the value. */
  detail: z.json().optional(),
  provenance: ProvenanceSchema,
});
export type ScoreResult = z.infer<typeof ScoreResultSchema>;

/** One sanity-test similarity between the map at a randomization step and the original map. */
export const SimilarityResultSchema = z.strictObject({
  test: z.enum(['cascading', 'independent', 'data']),
  method: z.string().min(1),
  imageId: z.number().int().nullable(),
  step: z.number().int().nonnegative(),
  /** The layer randomized at this step, if any. */
  layer: z.string().nullable(),
  measure: z.string().min(1),
  value: z.number().nullable(),
  provenance: ProvenanceSchema,
});
export type SimilarityResult = z.infer<typeof SimilarityResultSchema>;

export const ItemResultSchema = z.strictObject({
  maps: z.array(MapResultSchema),
  /** Keys of maps already in the store that this item used instead of recomputing. */
  reusedMapKeys: z.array(MapKeySchema),
  scores: z.array(ScoreResultSchema),
  similarities: z.array(SimilarityResultSchema),
  /** Anything else the item reports (training loss, counts), kept on the item row. */
  output: z.json().optional(),
  /** The compute backend that ran the item. */
  backend: BackendInfoSchema.optional(),
});
export type ItemResult = z.infer<typeof ItemResultSchema>;
