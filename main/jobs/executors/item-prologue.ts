// What every image item of an explain, metrics or sanity job does before its own work: check its payload, read its
// image as the model wants it or skip the item (logged and recorded as its output, so the job goes on), and, once the
// item knows its target class, find which of its maps the store has already so they are reused, not recomputed.
import type { SkippedItemOutput } from '../../../shared/job-outputs';
import type { Preprocessing } from '../../../shared/preprocessing';
import type { BackendInfo } from '../../../shared/provenance';
import type { WorkItem } from '../../../shared/worker-protocol';
import type { DecodedMap } from '../../store/map-codec';
import { blobFetcher } from '../blob-fetcher';
import type { ExecutorResult, ItemContext } from '../executor';
import type { DatasetInput } from './input-checks';
import { parseImagePayload, readItemImage, type ItemImagePayload } from './item-image';
import { recipeKey, type MapContext, type MapRecipe } from './map-provenance';

/** The image ready for the model, or (ok: false) the item's whole result because the image could not be used. */
export type OpenedImageItem =
  | { ok: true; payload: ItemImagePayload; image: { unit: Float32Array; input: Float32Array } }
  | { ok: false; skipped: ExecutorResult };

export interface SkipReport {
  backend: BackendInfo;
  /** Which path a skipped item names: explain and sanity outputs have always named the file, metrics outputs the path in the dataset. */
  image: 'path' | 'relPath';
}

export async function openImageItem(item: WorkItem, prep: Preprocessing, dataset: DatasetInput, ctx: ItemContext, skip: SkipReport): Promise<OpenedImageItem> {
  const payload = parseImagePayload(item.payload, item.key);
  const image = await readItemImage(payload, prep, dataset, blobFetcher(ctx.blobs));
  if (!image.ok) {
    ctx.log('warn', `skipped ${payload.path}: ${image.reason}`);
    const output: SkippedItemOutput = { kind: 'skipped', image: payload[skip.image], reason: image.reason };
    return { ok: false, skipped: { output, backend: skip.backend } };
  }
  return { ok: true, payload, image: { unit: image.unit, input: image.input } };
}

export type Keyed<T> = T & { key: string };

export interface StoredMaps<T> {
  /** Every recipe with its map's content address, in the given order. */
  keyed: Keyed<T>[];
  stored: Map<string, DecodedMap>;
  /** The recipes whose maps must be computed. */
  missing: Keyed<T>[];
  /** What the item reports as reusedMapKeys. */
  reusedKeys: string[];
}

/** Which maps of these recipes for this image and class are stored already (the key is known before computing). */
export async function findStoredMaps<T extends { recipe: MapRecipe }>(
  recipes: readonly T[], targetClass: number, context: MapContext, imageHash: string, ctx: ItemContext,
): Promise<StoredMaps<T>> {
  const keyed = recipes.map((r): Keyed<T> => ({ ...r, key: recipeKey(r.recipe, targetClass, context, imageHash) }));
  const stored = await ctx.findStoredMaps(keyed.map((k) => k.key));
  return {
    keyed,
    stored,
    missing: keyed.filter((k) => !stored.has(k.key)),
    reusedKeys: keyed.filter((k) => stored.has(k.key)).map((k) => k.key),
  };
}
