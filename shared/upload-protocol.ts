// How a fleet worker hands a model it trained to the coordinator: the model must end up at the job's output folder on
// the coordinator's machine (--out of a train job, --train-out of a sanity job that trains its pair), where the store
// registers it. The worker streams each file to the coordinator's file server (main/jobs/fleet/blob-server.ts, same
// token), then asks it to commit: the coordinator checks the assembled folder's content hash against the one the
// worker reports and only then renames it into place. A worker never names a path on the coordinator's disk: it names
// the job and a slot, and the coordinator looks the path up in the job it runs.
import { z } from 'zod';
import { BLOB_PROTOCOL_VERSION } from './blob-protocol';

const V = z.literal(BLOB_PROTOCOL_VERSION);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex');

/** Which of a job's output models: a train job's (--out), or one of a sanity job's trained pair (--train-out/...). */
export const UploadSlotSchema = z.enum(['model', 'true-labels', 'random-labels']);
export type UploadSlot = z.infer<typeof UploadSlotSchema>;

/** One upload session (the worker's choice; a retried item uploads under a new one). */
export const UploadIdSchema = z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits');

/** A file name inside a model folder: no separators, nothing that could leave the folder. */
export const UploadFileNameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'a plain file name').refine((n) => !n.endsWith('.part'), 'not a .part name');

/** The sha256 the worker sends with each file (header), checked against the bytes as they arrive. */
export const UPLOAD_SHA256_HEADER = 'x-dixw-sha256';

/** The commit request: the model's content hash (as the store computes it) and every file of the folder. */
export const UploadCommitSchema = z.strictObject({
  v: V,
  hash: z.string().min(1).max(128),
  files: z.array(z.strictObject({ name: UploadFileNameSchema, sha256: Sha256, size: z.number().int().nonnegative() })).min(1),
});
export type UploadCommit = z.infer<typeof UploadCommitSchema>;

/** The coordinator's answer to a commit: where the model now is on its machine ('written', or 'present' already, the same model). */
export const UploadReceiptSchema = z.strictObject({ v: V, path: z.string().min(1), hash: z.string(), placed: z.enum(['written', 'present']) });
export type UploadReceipt = z.infer<typeof UploadReceiptSchema>;

/** The server's upload paths. */
export const uploadPaths = {
  file: (jobId: number, slot: UploadSlot, uploadId: string, name: string) => `/v1/uploads/${jobId}/${slot}/${uploadId}/files/${name}`,
  commit: (jobId: number, slot: UploadSlot, uploadId: string) => `/v1/uploads/${jobId}/${slot}/${uploadId}/commit`,
};
