// How a fleet worker fetches, by content hash, a model or dataset file that it does not find at the coordinator's path:
// the coordinator runs a small HTTP file server (main/jobs/fleet/blob-server.ts) and advertises it in Redis; a worker
// fetches manifests and files from it, verifies every hash and keeps what it fetched in a content-addressed cache.
// Everything that crosses the network or a process boundary is validated on arrival.
import { z } from 'zod';

export const BLOB_PROTOCOL_VERSION = 1;
const V = z.literal(BLOB_PROTOCOL_VERSION);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex');

/** The coordinator's advert in Redis: where its file server listens and the token it wants (Authorization: Bearer). */
export const BlobServiceAdSchema = z.strictObject({ v: V, url: z.url(), token: z.string().min(16) });
export type BlobServiceAd = z.infer<typeof BlobServiceAdSchema>;

/** What an engine worker process needs to fetch: the coordinator's server, and this machine's cache folder. */
export const BlobSourceSchema = z.strictObject({ url: z.url(), token: z.string().min(16), cacheDir: z.string().min(1) });
export type BlobSource = z.infer<typeof BlobSourceSchema>;

/**
 * The files a model's content hash covers (a folder's files, or an ONNX file with its external data and sidecar), each
 * by sha256. `entry` is the file the model path names inside them (null: the model path is the folder itself).
 */
export const ModelManifestSchema = z.strictObject({
  v: V,
  hash: z.string().min(1),
  entry: z.string().min(1).nullable(),
  files: z.array(z.strictObject({ name: z.string().min(1), sha256: Sha256, size: z.number().int().nonnegative() })),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** A dataset's index as its content hash covers it: per image its path in the folder, sha256, label and mask's sha256. */
export const DatasetManifestSchema = z.strictObject({
  v: V,
  hash: z.string().min(1),
  entries: z.array(z.strictObject({
    relPath: z.string().min(1),
    sha256: Sha256,
    label: z.number().int().nullable(),
    mask: z.strictObject({ relPath: z.string().min(1), sha256: Sha256 }).nullable(),
  })),
  /**
   * What else the folder's index reads, for a worker that copies the whole dataset to train on it: labels.csv (its
   * class names are not in the entries) and the class folders (an empty one still counts as a class).
   */
  folder: z.strictObject({ labelsCsv: Sha256.nullable(), classFolders: z.array(z.string().min(1)) }).optional(),
});
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;

/** The server's paths. */
export const blobPaths = {
  model: (hash: string) => `/v1/models/${hash}`,
  dataset: (hash: string) => `/v1/datasets/${hash}`,
  blob: (sha256: string) => `/v1/blobs/${sha256}`,
};
