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
// Links: followed (datasets are often assembled from them), but each real folder once and each real file once, so a
// link loop or a second link to the same images is reported in `skipped` rather than followed or counted again.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, posix, sep } from 'node:path';
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
  /** Links not followed (loops, second paths to a folder) and images not counted twice, by path. */
  skipped: SkippedPath[];
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

/** A link or folder that indexing did not follow, or an image it did not count twice, and why. */
export interface SkippedPath {
  relPath: string;
  reason: string;
}

/** An image file found by a walk: its path relative to the root, its real path, and whether no link led to it. */
interface FoundImage {
  relPath: string;
  real: string;
  direct: boolean;
}

function realPathOf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path; // a broken link: reading it later reports the problem
  }
}

/**
 * Walks folders following each real folder once, so a link back up the tree (`cls/l1 -> ..`) or a second link to
 * the same folder is reported instead of followed: no endless recursion, no image counted once per path to it.
 */
class FolderWalk {
  /** Real folder path -> the relative path it was first reached by. */
  private readonly seen = new Map<string, string>();
  readonly skipped: SkippedPath[] = [];

  /** Marks a folder as reached (the root, the class folders) before the walk, so links to it are not followed. */
  claim(real: string, relPath: string): void {
    if (!this.seen.has(real)) this.seen.set(real, relPath);
  }

  /**
   * Image files under `dir` (reached as `prefix`), breadth first, each entry in code-unit order: the result does not
   * depend on the order the file system lists a folder in. Iterative, so no folder depth can overflow the stack.
   */
  images(dir: string, prefix: string): FoundImage[] {
    const found: FoundImage[] = [];
    const queue = [{ dir, real: realPathOf(dir), prefix, direct: true }];
    for (let i = 0; i < queue.length; i++) {
      const here = queue[i]!;
      const entries = readdirSync(here.dir, { withFileTypes: true }).filter((d) => !hidden(d.name)).sort((a, b) => byCodeUnit(a.name, b.name));
      for (const d of entries) {
        const path = join(here.dir, d.name);
        const relPath = here.prefix ? `${here.prefix}/${d.name}` : d.name;
        const kind = kindOf(here.dir, d);
        if (kind === 'file' && isImageFile(d.name)) {
          const link = d.isSymbolicLink();
          found.push({ relPath, real: link ? realPathOf(path) : join(here.real, d.name), direct: here.direct && !link });
        } else if (kind === 'dir') {
          const real = d.isSymbolicLink() ? realPathOf(path) : join(here.real, d.name);
          const first = this.seen.get(real);
          if (first === undefined) {
            this.seen.set(real, relPath);
            queue.push({ dir: path, real, prefix: relPath, direct: here.direct && !d.isSymbolicLink() });
          } else {
            const loop = here.real === real || here.real.startsWith(real + sep);
            this.skipped.push({ relPath, reason: loop
              ? `a link to a folder that contains it (${first || 'the dataset folder'}), a loop: not followed`
              : `the same folder as ${first || 'the dataset folder'}, which is indexed once: not followed` });
          }
        }
      }
    }
    return found;
  }

  /**
   * Relative paths in code-unit order, each real file once: by the path without links if there is one, else the first
   * in code-unit order. The others are reported.
   */
  once(found: FoundImage[]): string[] {
    const byReal = new Map<string, string>();
    const out: string[] = [];
    const preferred = [...found].sort((a, b) => Number(b.direct) - Number(a.direct) || byCodeUnit(a.relPath, b.relPath));
    for (const f of preferred) {
      const first = byReal.get(f.real);
      if (first === undefined) {
        byReal.set(f.real, f.relPath);
        out.push(f.relPath);
      } else {
        this.skipped.push({ relPath: f.relPath, reason: `the same file as ${first} (through a link), indexed once` });
      }
    }
    return out.sort(byCodeUnit);
  }
}

function stripExt(relPath: string): string {
  const ext = posix.extname(relPath);
  return ext ? relPath.slice(0, -ext.length) : relPath;
}

/** Map from image path without extension to the mask file's absolute path. Prefers .png, then .jpg, .jpeg. */
function indexMasks(root: string, walk: FolderWalk): Map<string, string> {
  const dir = join(root, MASKS_DIR);
  const map = new Map<string, string>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return map;
  const rank = (p: string) => IMAGE_EXTENSIONS.indexOf(posix.extname(p).toLowerCase() as (typeof IMAGE_EXTENSIONS)[number]);
  walk.claim(realPathOf(dir), MASKS_DIR);
  for (const rel of walk.once(walk.images(dir, MASKS_DIR)).map((p) => p.slice(MASKS_DIR.length + 1))) {
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
    .map((d) => ({ name: d.name, kind: kindOf(root, d), link: d.isSymbolicLink() }));
  const hasLabels = top.some((d) => d.kind === 'file' && d.name === LABELS_FILE);
  const topImages = top.filter((d) => d.kind === 'file' && isImageFile(d.name)).map((d) => d.name).sort(byCodeUnit);
  const walk = new FolderWalk();
  const rootReal = realPathOf(root);
  walk.claim(rootReal, '');
  const masks = indexMasks(root, walk);

  let layout: DatasetLayout;
  let classNames: string[];
  let items: { relPath: string; label: number | null }[];

  if (hasLabels || topImages.length > 0) {
    layout = 'flat';
    const labels = hasLabels ? readLabelsCsv(root, new Set(topImages)) : { byPath: new Map<string, number | null>(), classNames: [] };
    classNames = labels.classNames;
    const found = top.filter((d) => d.kind === 'file' && isImageFile(d.name))
      .map((d) => ({ relPath: d.name, real: d.link ? realPathOf(join(root, d.name)) : join(rootReal, d.name), direct: !d.link }));
    items = walk.once(found).map((relPath) => ({ relPath, label: labels.byPath.get(relPath) ?? null }));
  } else {
    layout = 'imagefolder';
    classNames = top.filter((d) => d.kind === 'dir' && d.name !== MASKS_DIR).map((d) => d.name).sort(byCodeUnit);
    // Every class folder is claimed first: a link from one class into another is not followed.
    const classReal = classNames.map((cls) => realPathOf(join(root, cls)));
    classNames.forEach((cls, i) => walk.claim(classReal[i]!, cls));
    const found: FoundImage[] = [];
    const labelOf = new Map<string, number>();
    classNames.forEach((cls, label) => {
      const owner = classNames[classReal.indexOf(classReal[label]!)]!;
      if (owner !== cls) {
        walk.skipped.push({ relPath: cls, reason: `the same folder as class ${owner}, which is indexed once: the class has no images` });
        return;
      }
      for (const f of walk.images(join(root, cls), cls)) {
        found.push(f);
        labelOf.set(f.relPath, label);
      }
    });
    items = walk.once(found).map((relPath) => ({ relPath, label: labelOf.get(relPath)! }));
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

  const skipped = walk.skipped.sort((a, b) => byCodeUnit(a.relPath, b.relPath));
  return { root, layout, classNames, entries, hash: hashEntries(entries, root), skipped };
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
