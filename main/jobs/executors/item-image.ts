// Reading one item's image as the model wants it. The file must still be the one that was indexed (same content
// hash), or the map would be filed under the wrong image; an image that is gone, changed or undecodable is
// skipped with the reason, and the job goes on. Only a dataset folder that vanished entirely stops the job.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Preprocessing } from '../../../shared/preprocessing';
import { decodeImage } from '../../engine/data/image-decode';
import { normalizeUnitImage, toUnitImage } from '../../engine/data/image-to-input';
import { datasetFolderExists, datasetVanished, type DatasetInput } from './input-checks';

/** What plan-items.ts puts in an image item (ImagePayload), checked on arrival. */
export const ImagePayloadSchema = z.object({
  imageId: z.number().int(),
  path: z.string(),
  relPath: z.string(),
  hash: z.string(),
  label: z.number().int().nullable(),
  maskPath: z.string().nullable(),
});
export type ItemImagePayload = z.infer<typeof ImagePayloadSchema>;

export type ItemImage = { ok: true; unit: Float32Array; input: Float32Array } | { ok: false; reason: string };

export function parseImagePayload(payload: unknown, itemKey: string): ItemImagePayload {
  const r = ImagePayloadSchema.safeParse(payload);
  if (!r.success) throw new Error(`item ${itemKey} does not describe an image (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return r.data;
}

export function readItemImage(payload: ItemImagePayload, prep: Preprocessing, dataset: DatasetInput): ItemImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(payload.path);
  } catch (err) {
    if (!datasetFolderExists(dataset.root)) throw datasetVanished(dataset);
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'the file is gone since the dataset was indexed' : `cannot read the file (${(err as Error).message})` };
  }
  if (createHash('sha256').update(bytes).digest('hex') !== payload.hash) {
    return { ok: false, reason: `the file changed since the dataset was indexed; re-index it with "dixw dataset add ${dataset.root}"` };
  }
  try {
    const unit = toUnitImage(decodeImage(bytes, payload.path), prep);
    return { ok: true, unit, input: normalizeUnitImage(unit, prep) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
