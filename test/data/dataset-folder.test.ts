import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { DatasetError, fileContentHash, indexDatasetFolder } from '../../main/engine/data/dataset-folder.js';
import { loadImageInput, loadMask } from '../../main/engine/data/dataset-load.js';
import { encodePng } from '../../main/engine/data/image-encode.js';
import { isUserError } from '../../main/engine/errors.js';
import { PreprocessingSchema } from '../../shared/preprocessing.js';
import { tempDir, writeFile } from './helpers.js';

/** A distinct tiny RGB PNG per value, so content hashes differ between files. */
const png = (v: number, w = 2, h = 2) => encodePng({ width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(v) });
const grayPng = (w: number, h: number, px: number[]) => encodePng({ width: w, height: h, channels: 1, data: Uint8Array.from(px) });

function assertDatasetError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    assert.ok(isUserError(e));
    assert.match(e.message, re);
    return true;
  });
}

test('ImageFolder: classes are sorted subfolders, images found recursively and sorted; masks/, dot-folders and non-images ignored', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'dog', 'b.png'), png(1));
  writeFile(join(root, 'dog', 'a.JPG'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(90) }, 90).data);
  writeFile(join(root, 'dog', 'sub', 'c.jpeg'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(30) }, 90).data);
  writeFile(join(root, 'cat', 'z.png'), png(2));
  writeFile(join(root, 'cat', 'notes.txt'), 'not an image');
  writeFile(join(root, 'Bird', 'x.png'), png(3)); // upper case sorts first (code-unit order, as Python's sorted)
  writeFile(join(root, '.cache', 'q.png'), png(4));
  writeFile(join(root, 'masks', 'cat', 'z.png'), png(255));
  writeFile(join(root, 'README.txt'), 'top-level non-image files do not make it flat');

  const idx = indexDatasetFolder(root);
  assert.equal(idx.layout, 'imagefolder');
  assert.deepEqual(idx.classNames, ['Bird', 'cat', 'dog']);
  assert.deepEqual(
    idx.entries.map((e) => [e.relPath, e.label, e.className]),
    [
      ['Bird/x.png', 0, 'Bird'],
      ['cat/z.png', 1, 'cat'],
      ['dog/a.JPG', 2, 'dog'],
      ['dog/b.png', 2, 'dog'],
      ['dog/sub/c.jpeg', 2, 'dog'],
    ],
  );
  assert.equal(idx.entries[4]!.absPath, join(root, 'dog', 'sub', 'c.jpeg'));
  assert.match(idx.hash, /^[0-9a-f]{64}$/);
});

test('ImageFolder: an empty class folder still counts, so indices do not shift', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'a', '1.png'), png(1));
  writeFile(join(root, 'b', 'keep.txt'), '');
  writeFile(join(root, 'c', '1.png'), png(2));
  const idx = indexDatasetFolder(root);
  assert.deepEqual(idx.classNames, ['a', 'b', 'c']);
  assert.deepEqual(idx.entries.map((e) => e.label), [0, 2]);
});

test('masks mirror image paths; the extension may differ; images without a mask get null', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'cat', 'a.jpg'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(9) }, 90).data);
  writeFile(join(root, 'cat', 'b.png'), png(5));
  writeFile(join(root, 'cat', 'deep', 'c.png'), png(6));
  writeFile(join(root, 'masks', 'cat', 'a.png'), png(255)); // .jpg image, .png mask
  writeFile(join(root, 'masks', 'cat', 'deep', 'c.JPEG'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(255) }, 90).data);
  writeFile(join(root, 'masks', 'cat', 'deep', 'c.jpg'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(255) }, 90).data);
  const byPath = new Map(indexDatasetFolder(root).entries.map((e) => [e.relPath, e.maskPath]));
  assert.equal(byPath.get('cat/a.jpg'), join(root, 'masks', 'cat', 'a.png'));
  assert.equal(byPath.get('cat/b.png'), null);
  assert.equal(byPath.get('cat/deep/c.png'), join(root, 'masks', 'cat', 'deep', 'c.jpg'), '.jpg preferred over .jpeg when both exist');
});

test('flat folder with labels.csv of class names: names sorted, unlabelled images get null', (t) => {
  const root = tempDir(t);
  for (const [i, n] of ['a.png', 'b.png', 'c.png', 'd.png'].entries()) writeFile(join(root, n), png(i));
  writeFile(join(root, 'labels.csv'), 'path,label\r\nb.png,zebra\r\n"a.png",ant\r\n./c.png,zebra\r\n\r\n');
  writeFile(join(root, 'masks', 'a.png'), png(255));
  const idx = indexDatasetFolder(root);
  assert.equal(idx.layout, 'flat');
  assert.deepEqual(idx.classNames, ['ant', 'zebra']);
  assert.deepEqual(
    idx.entries.map((e) => [e.relPath, e.label, e.className, e.maskPath !== null]),
    [
      ['a.png', 0, 'ant', true],
      ['b.png', 1, 'zebra', false],
      ['c.png', 1, 'zebra', false],
      ['d.png', null, null, false],
    ],
  );
});

test('flat folder with integer labels keeps them as indices; no labels.csv means all unlabelled', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'x.png'), png(1));
  writeFile(join(root, 'y.jpeg'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(9) }, 90).data);
  writeFile(join(root, 'labels.csv'), 'path,label\nx.png,7\ny.jpeg,0\n');
  const idx = indexDatasetFolder(root);
  assert.deepEqual(idx.classNames, []);
  assert.deepEqual(idx.entries.map((e) => [e.label, e.className]), [[7, null], [0, null]]);

  const root2 = tempDir(t);
  writeFile(join(root2, 'only.png'), png(1));
  const idx2 = indexDatasetFolder(root2);
  assert.equal(idx2.layout, 'flat');
  assert.deepEqual(idx2.entries.map((e) => e.label), [null]);
});

test('clear DatasetErrors: missing folder, empty folder, unknown file in labels.csv, bad header, unreadable csv', (t) => {
  const base = tempDir(t);
  assertDatasetError(() => indexDatasetFolder(join(base, 'nope')), /does not exist/);
  const file = writeFile(join(base, 'file.txt'), 'x');
  assertDatasetError(() => indexDatasetFolder(file), /is not a folder/);
  const empty = join(base, 'empty');
  writeFile(join(empty, 'readme.txt'), 'no images');
  assertDatasetError(() => indexDatasetFolder(empty), /contains no images/);
  const onlyMasks = join(base, 'onlymasks');
  writeFile(join(onlyMasks, 'masks', 'a.png'), png(1));
  assertDatasetError(() => indexDatasetFolder(onlyMasks), /contains no images/);

  const flat = join(base, 'flat');
  writeFile(join(flat, 'a.png'), png(1));
  writeFile(join(flat, 'labels.csv'), 'path,label\na.png,cat\nghost.png,dog\n');
  assertDatasetError(() => indexDatasetFolder(flat), /labels\.csv line 3 names "ghost\.png", which is not an image/);
  writeFileSync(join(flat, 'labels.csv'), 'file,class\na.png,cat\n');
  assertDatasetError(() => indexDatasetFolder(flat), /must start with the header "path,label"/);
  writeFileSync(join(flat, 'labels.csv'), 'path,label\n"a.png,cat\n');
  assertDatasetError(() => indexDatasetFolder(flat), /line 2: unterminated quote/);
  writeFileSync(join(flat, 'labels.csv'), 'path,label\na.png,cat,extra\n');
  assertDatasetError(() => indexDatasetFolder(flat), /line 2: expected 2 columns/);
  writeFileSync(join(flat, 'labels.csv'), 'path,label\na.png,cat\na.png,dog\n');
  assertDatasetError(() => indexDatasetFolder(flat), /listed twice/);
  rmSync(join(flat, 'labels.csv'));
  symlinkSync(join(base, 'no-such-target.csv'), join(flat, 'labels.csv'));
  assertDatasetError(() => indexDatasetFolder(flat), /Cannot read .*labels\.csv/);
});

test('the hash depends on content and labels, not on where the folder lives', (t) => {
  const base = tempDir(t);
  const a = join(base, 'a');
  writeFile(join(a, 'cat', '1.png'), png(1));
  writeFile(join(a, 'dog', '1.png'), png(2));
  writeFile(join(a, 'masks', 'dog', '1.png'), png(255));
  const h0 = indexDatasetFolder(a).hash;
  assert.equal(indexDatasetFolder(a).hash, h0, 'stable');

  const b = join(base, 'b');
  cpSync(a, b, { recursive: true });
  assert.equal(indexDatasetFolder(b).hash, h0, 'same content elsewhere, same hash');

  writeFileSync(join(b, 'dog', '1.png'), png(3));
  assert.notEqual(indexDatasetFolder(b).hash, h0, 'a changed image changes the hash');

  cpSync(a, join(base, 'c'), { recursive: true });
  writeFileSync(join(base, 'c', 'masks', 'dog', '1.png'), png(254));
  assert.notEqual(indexDatasetFolder(join(base, 'c')).hash, h0, 'a changed mask changes the hash');

  cpSync(a, join(base, 'd'), { recursive: true });
  writeFile(join(base, 'd', 'cat', '2.png'), png(9));
  assert.notEqual(indexDatasetFolder(join(base, 'd')).hash, h0, 'an added image changes the hash');

  // Same image bytes and path, only the label differs.
  const e = join(base, 'e');
  writeFile(join(e, 'x.png'), png(1));
  writeFile(join(e, 'labels.csv'), 'path,label\nx.png,0\n');
  const he = indexDatasetFolder(e).hash;
  writeFileSync(join(e, 'labels.csv'), 'path,label\nx.png,1\n');
  assert.notEqual(indexDatasetFolder(e).hash, he, 'a changed label changes the hash');
});

test('fileContentHash is the sha256 of the bytes', (t) => {
  const p = writeFile(join(tempDir(t), 'f.bin'), 'abc');
  assert.equal(fileContentHash(p), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('loadImageInput decodes an entry to the model input; loadMask thresholds luma > 127 and resizes nearest', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'c', 'a.png'), encodePng({ width: 2, height: 1, channels: 3, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) }));
  // 4x2 mask: left half 127 (background: not > 127), right half 128 (foreground)
  writeFile(join(root, 'masks', 'c', 'a.png'), grayPng(4, 2, [127, 127, 128, 128, 127, 127, 128, 128]));
  writeFile(join(root, 'c', 'b.png'), png(0));
  const [a, b] = indexDatasetFolder(root).entries;
  const prep = PreprocessingSchema.parse({ height: 1, width: 4, channels: 1 });
  const input = loadImageInput(a!, prep);
  assert.deepEqual([...input].map((v) => Math.round(v * 1e4) / 1e4), [0, 0.25, 0.75, 1]);
  assert.deepEqual([...loadMask(a!, 2, 2)!], [0, 1, 0, 1]);
  assert.deepEqual([...loadMask(a!, 1, 8)!], [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(loadMask(b!, 2, 2), null);
});

test('links: a loop back up the tree is reported, not followed; each folder and each image is indexed once', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'cat', 'a.png'), png(1));
  writeFile(join(root, 'cat', 'deep', 'b.png'), png(2));
  writeFile(join(root, 'dog', 'c.png'), png(3));
  writeFile(join(root, 'masks', 'cat', 'a.png'), png(4));
  // cat/l1 -> .. made indexing recurse until "Maximum call stack size exceeded", and count one image once per lap.
  symlinkSync('..', join(root, 'cat', 'l1'));
  symlinkSync('..', join(root, 'cat', 'deep', 'up'));
  // A second path to a folder and to a file of another class: followed or counted once only.
  symlinkSync(join(root, 'cat', 'deep'), join(root, 'dog', 'also-deep'));
  symlinkSync(join(root, 'dog', 'c.png'), join(root, 'cat', 'c-link.png'));
  // A loop inside masks/ too.
  symlinkSync('.', join(root, 'masks', 'cat', 'self'));
  const index = indexDatasetFolder(root);
  assert.deepEqual(index.classNames, ['cat', 'dog']);
  assert.deepEqual(index.entries.map((e) => e.relPath), ['cat/a.png', 'cat/deep/b.png', 'dog/c.png'], 'the path without a link wins');
  assert.ok(index.entries.find((e) => e.relPath === 'cat/a.png')?.maskPath?.endsWith(join('masks', 'cat', 'a.png')));
  assert.deepEqual(index.skipped.map((s) => s.relPath), ['cat/c-link.png', 'cat/deep/up', 'cat/l1', 'dog/also-deep', 'masks/cat/self']);
  const reason = (p: string) => index.skipped.find((s) => s.relPath === p)!.reason;
  assert.match(reason('cat/l1'), /loop: not followed/);
  assert.match(reason('cat/deep/up'), /loop: not followed/);
  assert.match(reason('dog/also-deep'), /the same folder as cat\/deep, which is indexed once/);
  assert.match(reason('cat/c-link.png'), /the same file as dog\/c\.png .*indexed once/);
});

test('links: two class folders that are one real folder; a flat folder with a link to one of its images', (t) => {
  const root = tempDir(t);
  writeFile(join(root, 'real', 'a.png'), png(1));
  symlinkSync(join(root, 'real'), join(root, 'same'));
  const index = indexDatasetFolder(root);
  assert.deepEqual(index.classNames, ['real', 'same'], 'the class still counts, so indices do not shift');
  assert.deepEqual(index.entries.map((e) => e.relPath), ['real/a.png']);
  assert.match(index.skipped[0]!.reason, /same folder as class real/);

  const flat = tempDir(t);
  writeFile(join(flat, 'a.png'), png(1));
  symlinkSync(join(flat, 'a.png'), join(flat, 'b.png'));
  const f = indexDatasetFolder(flat);
  assert.deepEqual(f.entries.map((e) => e.relPath), ['a.png']);
  assert.deepEqual(f.skipped, [{ relPath: 'b.png', reason: 'the same file as a.png (through a link), indexed once' }]);
});
