// A fleet worker that trains (a train job, a sanity job that trains its model pair) reads the whole dataset folder,
// not one image per item: where the folder at the coordinator's path is missing or differs from the dataset's content
// hash, it is assembled in the cache from the verified manifest, every file fetched and verified by sha256, and kept
// only once the assembled folder indexes (dataset-folder.ts) to that hash, so training reads exactly the indexed data.
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { indexDatasetFolder, LABELS_FILE } from '../engine/data/dataset-folder';
import { partName, type BlobFetcher } from './blob-fetcher';

const short = (hash: string) => hash.slice(0, 12);

/** The content hash of the folder's index; null when it cannot be indexed (gone, unreadable, no images). */
export function folderHash(root: string): string | null {
  try {
    return indexDatasetFolder(root).hash;
  } catch {
    return null;
  }
}

/** A path inside the dataset as the manifest names it ('/'-separated), refused when it could leave the folder. */
function safeRelPath(relPath: string): string[] {
  const parts = relPath.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) throw new Error(`the coordinator listed a dataset file named "${relPath}"; refused`);
  return parts;
}

/** Hard link (no second copy of the bytes), else a copy (another file system, or links not allowed). */
function place(blob: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  try {
    linkSync(blob, target);
  } catch {
    copyFileSync(blob, target);
  }
}

/** A local folder holding the dataset with this content hash: from the cache, else fetched file by file and verified. */
export async function fetchDatasetFolder(blobs: BlobFetcher, hash: string): Promise<string> {
  const dir = join(blobs.cacheDir, 'dataset-folders', hash);
  if (existsSync(dir)) {
    if (folderHash(dir) === hash) return dir;
    rmSync(dir, { recursive: true, force: true }); // damaged since: fetched again
  }
  const manifest = await blobs.dataset(hash);
  const part = partName(dir);
  mkdirSync(part, { recursive: true });
  try {
    for (const e of manifest.entries) {
      place(await blobs.blob(e.sha256, `image ${e.relPath}`), join(part, ...safeRelPath(e.relPath)));
      if (e.mask) place(await blobs.blob(e.mask.sha256, `mask ${e.mask.relPath}`), join(part, ...safeRelPath(e.mask.relPath)));
    }
    for (const name of manifest.folder?.classFolders ?? []) mkdirSync(join(part, ...safeRelPath(name)), { recursive: true });
    const labels = manifest.folder?.labelsCsv;
    if (labels) place(await blobs.blob(labels, `${LABELS_FILE} of dataset ${short(hash)}`), join(part, LABELS_FILE));
    const got = folderHash(part);
    if (got !== hash) {
      throw new Error(`refused dataset ${short(hash)} assembled from the coordinator at ${blobs.url}: its folder indexes to ${got ? short(got) : 'nothing'}, not ${short(hash)} ` +
        '(the coordinator described the folder incompletely); it was not kept');
    }
    mkdirSync(dirname(dir), { recursive: true });
    try {
      renameSync(part, dir);
    } catch {
      if (!existsSync(dir)) throw new Error(`cannot keep the fetched dataset in ${dir}`);
      // Another engine process kept the same dataset first.
    }
  } finally {
    rmSync(part, { recursive: true, force: true });
  }
  return dir;
}
