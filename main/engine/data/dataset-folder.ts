// Indexes a dataset folder: which images, which labels, which masks, and one content hash so that a result
// can name the exact data it was computed on. No image is decoded here (see dataset-load.ts).
//
// Layouts:
//  - 'imagefolder': one subfolder per class (torchvision ImageFolder). Class names = sorted subfolder names,
//    class index = position; images found recursively inside each class folder. An empty class folder still
//    counts, so class indices do not shift when a class has no images yet.
//  - 'flat': images directly in the root, with an optional labels.csv (header `path,label`). Chosen when the
//    root holds labels.csv or any image file itself.
// Masks: an optional `masks/` tree mirroring image paths (extension may differ among .png/.jpg/.jpeg). `masks/`
// and dot-folders are never classes.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, posix } from 'node:path';
import { UserError } from '../errors.js';

export type DatasetLayout = 'imagefolder' | 'flat';

export interface DatasetEntry {
  /** Path relative to the root, always with '/' separators (hashes and stored rows are the same on every OS). */
  relPath: string;
  absPath: string;
  label: number | null;
  className: string | null;
  maskPath: string | null;
}

export interface DatasetIndex {
  root: string;
  layout: DatasetLayout;
  /** Index = label. Empty for a flat folder whose labels are integers (names then come from the model, if at all). */
  classNames: string[];
  /** Sorted by relPath. */
  entries: DatasetEntry[];
  /** sha256 over sorted (relPath, file sha256, label, mask sha256): changes when any image, label or mask changes. */
  hash: string;
}

/** A problem with a dataset folder; a UserError (name kept 'UserError' so isUserError() holds). */
export class DatasetError extends UserError {
  constructor(
    message: string,
    readonly folder: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
export const LABELS_FILE = 'labels.csv';
export const MASKS_DIR = 'masks';

export function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** sha256 (hex) of a file's bytes: one read, no decoding; dataset images are small. */
export function fileContentHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Plain code-unit order, as Python's sorted(): locale-independent, so every machine gets the same class indices. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hidden(name: string): boolean {
  return name.startsWith('.');
}

/** File or folder, following symlinks (datasets are often assembled from links); a broken link counts as a file so reading it reports the problem. */
function kindOf(dir: string, d: Dirent): 'file' | 'dir' | 'other' {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (!d.isSymbolicLink()) return 'other';
  try {
    const st = statSync(join(dir, d.name));
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'file';
  }
}

/** Image files under dir, recursively, as '/'-joined paths relative to dir, sorted. */
function listImagesRecursive(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (hidden(d.name)) continue;
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    const kind = kindOf(dir, d);
    if (kind === 'dir') out.push(...listImagesRecursive(join(dir, d.name), rel));
    else if (kind === 'file' && isImageFile(d.name)) out.push(rel);
  }
  return out.sort(byCodeUnit);
}

function stripExt(relPath: string): string {
  const ext = posix.extname(relPath);
  return ext ? relPath.slice(0, -ext.length) : relPath;
}

/** Map from image path without extension to the mask file's absolute path. Prefers .png, then .jpg, .jpeg. */
function indexMasks(root: string): Map<string, string> {
  const dir = join(root, MASKS_DIR);
  const map = new Map<string, string>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return map;
  const rank = (p: string) => IMAGE_EXTENSIONS.indexOf(posix.extname(p).toLowerCase() as (typeof IMAGE_EXTENSIONS)[number]);
  for (const rel of listImagesRecursive(dir)) {
    const key = stripExt(rel);
    const prev = map.get(key);
    if (prev === undefined || rank(rel) < rank(prev)) map.set(key, rel);
  }
  for (const [k, rel] of map) map.set(k, join(dir, ...rel.split('/')));
  return map;
}

export function indexDatasetFolder(root: string): DatasetIndex {
  if (!existsSync(root)) throw new DatasetError(`Dataset folder ${root} does not exist.`, root);
  if (!statSync(root).isDirectory()) throw new DatasetError(`Dataset path ${root} is not a folder.`, root);

  const top = readdirSync(root, { withFileTypes: true })
    .filter((d) => !hidden(d.name))
    .map((d) => ({ name: d.name, kind: kindOf(root, d) }));
  const hasLabels = top.some((d) => d.kind === 'file' && d.name === LABELS_FILE);
  const topImages = top.filter((d) => d.kind === 'file' && isImageFile(d.name)).map((d) => d.name).sort(byCodeUnit);
  const masks = indexMasks(root);

  let layout: DatasetLayout;
  let classNames: string[];
  let items: { relPath: string; label: number | null }[];

  if (hasLabels || topImages.length > 0) {
    layout = 'flat';
    const labels = hasLabels ? readLabelsCsv(root, new Set(topImages)) : { byPath: new Map<string, number | null>(), classNames: [] };
    classNames = labels.classNames;
    items = topImages.map((relPath) => ({ relPath, label: labels.byPath.get(relPath) ?? null }));
  } else {
    layout = 'imagefolder';
    classNames = top.filter((d) => d.kind === 'dir' && d.name !== MASKS_DIR).map((d) => d.name).sort(byCodeUnit);
    items = [];
    classNames.forEach((cls, label) => {
      for (const rel of listImagesRecursive(join(root, cls))) items.push({ relPath: `${cls}/${rel}`, label });
    });
    items.sort((a, b) => byCodeUnit(a.relPath, b.relPath));
  }

  if (items.length === 0) {
    throw new DatasetError(
      `Dataset folder ${root} contains no images (${IMAGE_EXTENSIONS.join(', ')}).`,
      root,
      'Put images in one subfolder per class, or directly in the folder with an optional labels.csv (path,label).',
    );
  }

  const entries: DatasetEntry[] = items.map(({ relPath, label }) => ({
    relPath,
    absPath: join(root, ...relPath.split('/')),
    label,
    className: label !== null && label < classNames.length ? classNames[label]! : null,
    maskPath: masks.get(stripExt(relPath)) ?? null,
  }));

  return { root, layout, classNames, entries, hash: hashEntries(entries, root) };
}

/** Content hash of an index: line per entry, in relPath order, so it depends on content and labels, not on where the folder lives. */
export function hashEntries(entries: readonly DatasetEntry[], root = ''): string {
  const h = createHash('sha256');
  const sorted = [...entries].sort((a, b) => byCodeUnit(a.relPath, b.relPath));
  const hashOf = (path: string) => {
    try {
      return fileContentHash(path);
    } catch (e) {
      throw new DatasetError(`Cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, root);
    }
  };
  for (const e of sorted) {
    const mask = e.maskPath ? hashOf(e.maskPath) : '';
    h.update(`${e.relPath}\t${hashOf(e.absPath)}\t${e.label ?? ''}\t${mask}\n`);
  }
  return h.digest('hex');
}

// ---- labels.csv ------------------------------------------------------------------------------------------

/** Splits one CSV line (RFC 4180 quotes, no embedded newlines: a path never holds one). */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new Error('unterminated quote');
  cells.push(cur);
  return cells;
}

const INT_RE = /^\d+$/;

/**
 * Reads labels.csv. Labels are either all non-negative integers (used as class indices; classNames stays empty)
 * or class names (classNames = sorted distinct names, label = position). An empty label means unlabelled.
 */
function readLabelsCsv(root: string, images: Set<string>): { byPath: Map<string, number | null>; classNames: string[] } {
  const file = join(root, LABELS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, root);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] === undefined ? [] : safeParse(lines[0], file, 1).map((c) => c.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'path' || header[1] !== 'label') {
    throw new DatasetError(`${file} must start with the header "path,label" (found "${lines[0] ?? ''}").`, root);
  }
  const raw = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = safeParse(line, file, i + 1);
    if (cells.length !== 2) throw new DatasetError(`${file} line ${i + 1}: expected 2 columns (path,label), found ${cells.length}.`, root);
    const path = posix.normalize(cells[0]!.trim().replace(/\\/g, '/'));
    const label = cells[1]!.trim();
    if (!images.has(path)) {
      throw new DatasetError(
        `${file} line ${i + 1} names ${JSON.stringify(cells[0])}, which is not an image in ${root}.`,
        root,
        'Paths in labels.csv are relative to the dataset folder and name .png/.jpg/.jpeg files directly inside it.',
      );
    }
    if (raw.has(path)) throw new DatasetError(`${file} line ${i + 1}: ${path} is listed twice.`, root);
    raw.set(path, label);
  }
  const given = [...raw.values()].filter((l) => l !== '');
  const numeric = given.every((l) => INT_RE.test(l));
  const classNames = numeric ? [] : [...new Set(given)].sort(byCodeUnit);
  const byPath = new Map<string, number | null>();
  for (const [path, l] of raw) {
    byPath.set(path, l === '' ? null : numeric ? Number.parseInt(l, 10) : classNames.indexOf(l));
  }
  return { byPath, classNames };
}

function safeParse(line: string, file: string, lineNo: number): string[] {
  try {
    return parseCsvLine(line);
  } catch (e) {
    throw new DatasetError(`${file} line ${lineNo}: ${e instanceof Error ? e.message : String(e)}.`, file);
  }
}
