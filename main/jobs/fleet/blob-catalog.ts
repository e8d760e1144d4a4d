// What the coordinator's file server may hand out: the files of the models and datasets of the jobs it has claimed,
// each by content hash, and nothing else on its disk. A job's inputs are offered when the job is claimed; the
// manifests (which files, their sha256) are worked out on the first request and kept while the files are unchanged.
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BLOB_PROTOCOL_VERSION as v, type DatasetManifest, type ModelManifest } from '../../../shared/blob-protocol';
import type { JobInputs } from '../../../shared/job-spec';
import { LABELS_FILE, MASKS_DIR } from '../../engine/data/dataset-folder';
import { findDatasetByRoot, getDataset, listImages } from '../../store/datasets-repo';
import type { Store } from '../../store/store';
import { modelFiles, modelFingerprint } from '../hash-cache';

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class BlobCatalog {
  /** Model content hash -> the path it was registered under. */
  private readonly models = new Map<string, string>();
  /** Dataset content hash -> its root and registered id. */
  private readonly datasets = new Map<string, { id: number | null; root: string }>();
  private readonly modelManifests = new Map<string, { fingerprint: string; manifest: ModelManifest }>();
  private readonly datasetManifests = new Map<string, DatasetManifest>();
  /** sha256 -> a file with those bytes (when it was listed). */
  private readonly files = new Map<string, string>();

  constructor(private readonly store: Store) {}

  /** The model and dataset of a claimed job become fetchable by their content hashes. */
  offer(inputs: JobInputs): void {
    // A data randomization sanity test also loads its random-label model.
    const random = (inputs as { randomModel?: { path?: unknown; hash?: unknown } }).randomModel;
    for (const m of [inputs.model, random]) if (typeof m?.hash === 'string' && typeof m.path === 'string') this.models.set(m.hash, m.path);
    // A sanity job that trains its model pair trains on a dataset of its own.
    for (const d of [inputs.dataset, inputs.trainDataset]) if (d) this.datasets.set(d.hash, { id: d.id, root: d.root });
  }

  /** The files of the offered model with this content hash; null when none was offered or its files cannot be read. */
  async modelManifest(hash: string): Promise<ModelManifest | null> {
    const path = this.models.get(hash);
    if (path === undefined) return null;
    const fingerprint = modelFingerprint(path);
    if (fingerprint === null) return null;
    const known = this.modelManifests.get(hash);
    if (known?.fingerprint === fingerprint) return known.manifest;
    const folder = statSync(path).isDirectory();
    // A TF.js model named by its model.json has its weight shards beside it, under other names: the whole folder goes.
    const listed = !folder && basename(path) === 'model.json' ? modelFiles(dirname(path)) : modelFiles(path);
    const files: ModelManifest['files'] = [];
    for (const file of listed ?? []) {
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      const sha256 = await fileSha256(file);
      this.files.set(sha256, file);
      files.push({ name: basename(file), sha256, size: stat.size });
    }
    // The worker checks the assembled files against `hash`: a model changed here since it was registered is refused there.
    const manifest: ModelManifest = { v, hash, entry: folder ? null : basename(path), files };
    this.modelManifests.set(hash, { fingerprint, manifest });
    return manifest;
  }

  /** The index of the offered dataset with this content hash, as the store has it (masks hashed here). */
  async datasetManifest(hash: string): Promise<DatasetManifest | null> {
    const known = this.datasetManifests.get(hash);
    if (known) return known;
    const offered = this.datasets.get(hash);
    if (!offered) return null;
    const record = offered.id === null ? findDatasetByRoot(this.store, offered.root) : getDataset(this.store, offered.id);
    if (!record || record.contentHash !== hash) return null; // re-indexed since: the job's images are no longer known
    const entries: DatasetManifest['entries'] = [];
    for (const image of listImages(this.store, record.id)) {
      const path = join(record.root, ...image.relPath.split('/'));
      this.files.set(image.contentHash, path);
      let mask: { relPath: string; sha256: string } | null = null;
      if (image.maskPath !== null) {
        const maskFile = join(record.root, ...image.maskPath.split('/'));
        const sha256 = await fileSha256(maskFile).catch(() => null);
        if (sha256 === null) return null; // a mask is gone: the dataset is not what its hash says
        this.files.set(sha256, maskFile);
        mask = { relPath: image.maskPath, sha256 };
      }
      entries.push({ relPath: image.relPath, sha256: image.contentHash, label: image.label, mask });
    }
    const folder = await this.folderExtras(record.root);
    if (!folder) return null;
    const manifest: DatasetManifest = { v, hash, entries, folder };
    this.datasetManifests.set(hash, manifest);
    return manifest;
  }

  /** labels.csv and the class folders of a dataset folder (what a worker copying it for training needs besides the images). */
  private async folderExtras(root: string): Promise<DatasetManifest['folder'] | null> {
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return null;
    }
    let labelsCsv: string | null = null;
    if (names.includes(LABELS_FILE)) {
      const file = join(root, LABELS_FILE);
      labelsCsv = await fileSha256(file).catch(() => null);
      if (labelsCsv === null) return null;
      this.files.set(labelsCsv, file);
    }
    // As dataset-folder.ts counts classes: folders (links followed), not masks/ nor dot-folders.
    const isFolder = (name: string) => {
      try {
        return statSync(join(root, name)).isDirectory();
      } catch {
        return false;
      }
    };
    const classFolders = names.filter((n) => !n.startsWith('.') && n !== MASKS_DIR && isFolder(n)).sort();
    return { labelsCsv, classFolders };
  }

  /** A file with these bytes among the offered models and datasets, or null. (The worker verifies what it receives.) */
  async blobPath(sha256: string): Promise<string | null> {
    if (!this.files.has(sha256)) {
      // Not listed yet (a worker may ask for an image before any manifest): list what was offered.
      for (const hash of this.datasets.keys()) await this.datasetManifest(hash);
      for (const hash of this.models.keys()) await this.modelManifest(hash);
    }
    return this.files.get(sha256) ?? null;
  }
}
