// What the service learns from the engine when it registers inputs or checks a spec: a dataset folder's index with
// per-image content hashes, a model folder's content hash and summary, the known method ids. Behind the jobs layer
// so that main/service imports no engine module itself; TF.js is loaded lazily, only by the calls that need it, and
// only on its plain-JavaScript backend (nothing is computed in the main process).
import { relative, sep } from 'node:path';
import type { ModelInfo } from '../../shared/model-info';
import type { PreprocessingChoice } from '../../shared/service-api';
import { fileContentHash, indexDatasetFolder } from '../engine/data/dataset-folder';
import type { DatasetIndex } from '../store/datasets-repo';

export interface IndexedFolder extends DatasetIndex {
  /** Absolute folder path, as the index saw it. */
  root: string;
  layout: 'imagefolder' | 'flat';
  /** Links not followed (loops, second paths) and images not counted twice, each with why. */
  skipped: Array<{ relPath: string; reason: string }>;
}

/** Indexes a dataset folder (throws a UserError naming the problem). Masks are stored relative to the root. */
export function indexDataset(root: string): IndexedFolder {
  const index = indexDatasetFolder(root);
  const rel = (p: string) => relative(index.root, p).split(sep).join('/');
  return {
    root: index.root,
    layout: index.layout,
    contentHash: index.hash,
    classes: index.classNames,
    images: index.entries.map((e) => ({
      relPath: e.relPath,
      contentHash: fileContentHash(e.absPath),
      label: e.label,
      className: e.className,
      maskPath: e.maskPath === null ? null : rel(e.maskPath),
    })),
    skipped: index.skipped,
  };
}

/** The content hash of a model folder (model.json and its weight shards); throws a UserError if unreadable. */
export async function modelFolderHash(path: string): Promise<string> {
  const [{ modelHash }, { cachedModelHash }] = await Promise.all([import('../engine/model/load-model'), import('./hash-cache')]);
  // A 537 MB model takes seconds to hash: an unchanged one (same files, sizes, times, inodes) is not read again.
  return cachedModelHash(path, modelHash);
}

/**
 * Reading a model to inspect it needs a backend. In the main process none is active and the cpu backend is enough (no
 * wasm or GPU started there just to read a model). Where the engine already runs in this process (`dixw demo`, a
 * foreground CLI run) its backend is kept: switching it to cpu would move the engine's later work there, 10-35x slower,
 * while its provenance still named the backend it started on.
 */
async function useInspectionBackend(tf: typeof import('../engine/tf').tf): Promise<void> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner from the cpu backend
  if (!tf.getBackend()) await tf.setBackend('cpu');
}

/** Stores the model's preprocessing from the user's choice (see load-model.ts); throws a UserError if it does not fit. */
export async function setModelPreprocessing(path: string, choice: PreprocessingChoice | undefined, classNames?: string[]): Promise<void> {
  const [{ tf }, { setModelPreprocessing: set }] = await Promise.all([import('../engine/tf'), import('../engine/model/load-model')]);
  await useInspectionBackend(tf);
  await set(path, choice, classNames);
}

/** Loads the model once to learn its input, classes and cut points; throws a UserError if it cannot be used. */
export async function inspectModelFolder(path: string): Promise<{ hash: string; info: ModelInfo }> {
  const [{ tf }, { loadVisionModel }, { describeModel }] = await Promise.all([
    import('../engine/tf'),
    import('../engine/model/load-model'),
    import('../engine/model/model-info'),
  ]);
  await useInspectionBackend(tf);
  const vm = await loadVisionModel(path);
  try {
    return { hash: vm.hash, info: describeModel(vm) };
  } finally {
    vm.dispose();
  }
}

/** Method ids the engine knows, for refusing a spec before it is queued. */
export async function knownMethodIds(): Promise<string[]> {
  const { METHOD_IDS } = await import('../engine/explain/registry');
  return [...METHOD_IDS];
}

/** Architecture ids `train` accepts. */
export async function knownArchitectures(): Promise<string[]> {
  const { ARCHITECTURE_IDS } = await import('../engine/model/architectures/registry');
  return [...ARCHITECTURE_IDS];
}
