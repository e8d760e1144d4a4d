// Output paths checked before anything is written: a job's output folders when it is submitted, not when it runs (a
// folder that can never be written -- its parent missing, a file in the way, /proc, where Node's recursive mkdir loops
// for ever -- would otherwise fail the job later, or hold the queue), and an exported file's folder. No missing parent
// is created silently. A model already in a train job's folder is not replaced unless the spec says `overwrite`.
import { existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ServiceError } from './service-error';

/** What marks a folder as holding a model (engine/model/model-io.ts writes it; that module loads TF.js). */
const MODEL_FILE = 'model.json';

/** Whether a file can be created in `dir`: tried for real, since access(2) says yes to root even on /proc. */
function writeProblem(dir: string): string | null {
  try {
    rmdirSync(mkdtempSync(join(dir, '.dixw-write-test-')));
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

function kindOf(path: string): 'folder' | 'file' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Refuses an output folder (an absolute path) that a job could not write: a file in its place, a parent folder that
 * is missing or is a file (no parent is created silently), or a place where no file can be made.
 * @param what how the user named it, e.g. "--out" or "--npy"
 */
export function checkOutputFolder(path: string, what: string): void {
  const kind = kindOf(path);
  if (kind === 'file') {
    throw new ServiceError('unusable-input', `The output folder ${path} (${what}) is a file, not a folder.`, 'Choose a folder path; nothing is written over a file.');
  }
  const where = kind === 'folder' ? path : dirname(path);
  if (kind === 'missing') {
    const parent = kindOf(where);
    if (parent === 'missing') {
      throw new ServiceError('unusable-input', `The output folder ${path} (${what}) cannot be made: its parent folder ${where} does not exist.`,
        `Create ${where} first, or choose a folder whose parent exists.`);
    }
    if (parent === 'file') throw new ServiceError('unusable-input', `The output folder ${path} (${what}) cannot be made: ${where} is a file, not a folder.`, 'Choose another folder.');
  }
  const problem = writeProblem(where);
  if (problem) {
    throw new ServiceError('unusable-input', `The output folder ${path} (${what}) cannot be written: no file can be created in ${where} (${problem}).`,
      'Choose a folder on a writable disk where you have write permission.');
  }
}

/** A train job's folder: writable, and holding no model unless the spec asks to replace it. */
export function checkModelOutputFolder(path: string, what: string, overwrite: boolean): void {
  checkOutputFolder(path, what);
  if (!overwrite && existsSync(join(path, MODEL_FILE))) {
    throw new ServiceError('unusable-input', `${path} (${what}) already holds a model (${MODEL_FILE}); training would replace it.`,
      'Choose another folder, or pass --force (overwrite: true in a job spec) to replace that model.');
  }
}

/** An output file (an exported figure or table): its folder must exist and be writable, and the path not be a folder. */
export function checkOutputFile(path: string, what: string): void {
  if (kindOf(path) === 'folder') {
    throw new ServiceError('unusable-input', `${path} (${what}) is a folder; a file path is needed.`, `Name the file, e.g. ${join(path, 'figure.pdf')}.`);
  }
  const folder = dirname(path);
  const kind = kindOf(folder);
  if (kind !== 'folder') {
    throw new ServiceError('unusable-input', `Cannot write ${path} (${what}): the folder ${folder} ${kind === 'file' ? 'is a file' : 'does not exist'}.`,
      kind === 'file' ? 'Choose a path in a folder.' : `Create it first (mkdir -p "${folder}"), or choose a path in an existing folder.`);
  }
  const problem = writeProblem(folder);
  if (problem) throw new ServiceError('unusable-input', `Cannot write ${path} (${what}): no file can be created in ${folder} (${problem}).`, 'Choose a folder where you have write permission.');
}
