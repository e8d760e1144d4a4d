// Reading one item's image as the model wants it. The file must still be the one that was indexed (same content
// hash), or the map would be filed under the wrong image; an image that is gone, changed or undecodable is
// skipped with the reason, and the job goes on. Only a dataset folder that vanished entirely stops the job.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Preprocessing } from '../../../shared/preprocessing';
import { decodeImage } from '../../engine/data/image-decode';
import { normalizeUnitImage, toUnitImage } from '../../engine/data/image-to-input';
import type { BlobFetcher } from '../blob-fetcher';
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

/**
 * The item's image: read at its path and checked against its content hash; on a fleet worker (`blobs`), an image not
 * found there, or different there, is fetched from the coordinator by that hash (a refused fetch fails the item).
 */
export async function readItemImage(payload: ItemImagePayload, prep: Preprocessing, dataset: DatasetInput, blobs: BlobFetcher | null): Promise<ItemImage> {
  const local = readLocalImage(payload, dataset, blobs === null);
  let bytes: Buffer;
  if (Buffer.isBuffer(local)) bytes = local;
  else if (blobs) bytes = readFileSync(await blobs.blob(payload.hash, `image ${payload.relPath}`));
  else return { ok: false, reason: local.reason };
  try {
    const unit = toUnitImage(decodeImage(bytes, payload.path), prep);
    return { ok: true, unit, input: normalizeUnitImage(unit, prep) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** The bytes at the image's path if they are the indexed ones, else why not. `needFolder`: a vanished folder stops the job. */
function readLocalImage(payload: ItemImagePayload, dataset: DatasetInput, needFolder: boolean): Buffer | { reason: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(payload.path);
  } catch (err) {
    if (needFolder && !datasetFolderExists(dataset.root)) throw datasetVanished(dataset);
    const code = (err as NodeJS.ErrnoException).code;
    return { reason: code === 'ENOENT' ? 'the file is gone since the dataset was indexed' : `cannot read the file (${(err as Error).message})` };
  }
  if (createHash('sha256').update(bytes).digest('hex') !== payload.hash) {
    return { reason: `the file changed since the dataset was indexed; re-index it with "dixw dataset add ${dataset.root}"` };
  }
  return bytes;
}

/** The item's mask file here: at its path, else (a fleet worker) fetched by the sha256 the dataset's verified index gives it. */
export async function maskFileHere(payload: ItemImagePayload, dataset: DatasetInput, blobs: BlobFetcher | null): Promise<string | null> {
  if (payload.maskPath === null || !blobs || existsSync(payload.maskPath)) return payload.maskPath;
  const entry = await blobs.datasetEntry(dataset.hash, payload.relPath);
  if (!entry?.mask) throw new Error(`the coordinator's index of dataset ${dataset.hash.slice(0, 12)} has no mask for ${payload.relPath}`);
  return blobs.blob(entry.mask.sha256, `mask ${entry.mask.relPath}`);
}
