// The content address of a map: what was explained (model, image) and how (method, version, every parameter,
// target class, cut points). A new job asks for these keys first and reuses what is stored.
import { createHash } from 'node:crypto';
import type { Provenance } from '../../shared/provenance';
import { canonicalJson } from './canonical-json';

export interface MapKeyParts {
  modelHash: string;
  imageHash: string;
  methodId: string;
  methodVersion: number;
  /** Every parameter as resolved (defaults filled in); key order does not matter. */
  params: Record<string, unknown>;
  targetClass: number | null;
  /** Resolved cut points; order matters (it is the method's order). */
  cutPoints: readonly string[];
}

/** Bumped only if the key's recipe changes (which would orphan every stored key). */
const KEY_RECIPE = 'dixw-map-key/1';

export function mapKey(parts: MapKeyParts): string {
  const text = canonicalJson([
    KEY_RECIPE,
    parts.modelHash,
    parts.imageHash,
    parts.methodId,
    parts.methodVersion,
    parts.params,
    parts.targetClass,
    [...parts.cutPoints],
  ]);
  return createHash('sha256').update(text).digest('hex');
}

/** The key of a map computed under this provenance for this image. */
export function mapKeyFromProvenance(provenance: Provenance, imageHash: string): string {
  return mapKey({
    modelHash: provenance.modelHash,
    imageHash,
    methodId: provenance.id,
    methodVersion: provenance.version,
    params: provenance.params,
    targetClass: provenance.targetClass,
    cutPoints: provenance.cutPoints,
  });
}
