import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { indexDatasetFolder } from '../../main/engine/data/dataset-folder.js';
import { readImageFile } from '../../main/engine/data/image-decode.js';
import { FASHION_MNIST_CLASSES, importIdx, parseIdx, readIdxFile } from '../../main/engine/data/idx.js';
import { tempDir, writeFile } from './helpers.js';

/** IDX bytes by hand: 0 0 type ndim, big-endian uint32 dims, data. */
function idxBytes(dims: number[], data: number[], type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

// 3 images of 2x2 (values i*10 + pixel) and their labels.
const IMAGES = idxBytes([3, 2, 2], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
const LABELS = idxBytes([3], [1, 0, 1]);

test('parseIdx reads raw and gzipped files alike (big-endian dims)', () => {
  for (const bytes of [IMAGES, gzipSync(IMAGES)]) {
    const a = parseIdx(bytes);
    assert.deepEqual(a.dims, [3, 2, 2]);
    assert.deepEqual([...a.data], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
  }
  // A dimension above 255 proves the header is read big-endian.
  const big = parseIdx(idxBytes([300], new Array(300).fill(7)));
  assert.deepEqual(big.dims, [300]);
});

test('parseIdx rejects non-ubyte types, bad magic, and truncated or oversized data with clear messages', () => {
  assert.throws(() => parseIdx(idxBytes([1], [0, 0, 0, 0], 0x0d), 'f.idx'), /f\.idx: IDX element type float is not supported; only unsigned bytes/);
  assert.throws(() => parseIdx(Buffer.from([1, 2, 3, 4, 5]), 'x'), /not an IDX file/);
  assert.throws(() => parseIdx(idxBytes([2, 2], [1, 2, 3]), 'short'), /header says 2 x 2 = 4 bytes of data, file has 3 \(truncated\)/);
  assert.throws(() => parseIdx(idxBytes([2], [1, 2, 3]), 'long'), /file has 3/);
  assert.throws(() => parseIdx(gzipSync(IMAGES).subarray(0, 20), 'gz'), /corrupt gzip/);
});

test('importIdx writes an ImageFolder of grayscale PNGs, class folders from classNames or class_0..', (t) => {
  const dir = tempDir(t);
  const images = writeFile(join(dir, 'img-idx3-ubyte.gz'), gzipSync(IMAGES));
  const labels = writeFile(join(dir, 'lab-idx1-ubyte'), LABELS);

  const out = join(dir, 'default');
  const r = importIdx({ images, labels, out });
  assert.deepEqual(r, { out, count: 3, height: 2, width: 2, classNames: ['class_0', 'class_1'] });
  assert.deepEqual(readdirSync(join(out, 'class_1')).sort(), ['00000.png', '00002.png']);
  const img = readImageFile(join(out, 'class_1', '00002.png'));
  assert.deepEqual([...img.rgba], [20, 21, 22, 23].flatMap((v) => [v, v, v, 255]));
  const idx = indexDatasetFolder(out);
  assert.deepEqual(idx.entries.map((e) => [e.relPath, e.label]), [['class_0/00001.png', 0], ['class_1/00000.png', 1], ['class_1/00002.png', 1]]);

  const named = join(dir, 'named');
  importIdx({ images, labels, out: named, limit: 1, classNames: ['zero', 'one', 'two'] });
  assert.deepEqual(readdirSync(named).sort(), ['one', 'two', 'zero'], 'every class folder exists, even those the limit leaves empty');
  assert.deepEqual(readdirSync(join(named, 'one')), ['00000.png']);
  assert.equal(readdirSync(join(named, 'zero')).length, 0);
});

test('importIdx checks that image and label counts agree and labels fit the class names', (t) => {
  const dir = tempDir(t);
  const images = writeFile(join(dir, 'i'), IMAGES);
  const twoLabels = writeFile(join(dir, 'l2'), idxBytes([2], [0, 1]));
  assert.throws(() => importIdx({ images, labels: twoLabels, out: join(dir, 'o') }), /has 3 images but .* has 2 labels/);
  assert.equal(existsSync(join(dir, 'o')), false, 'nothing written on a mismatch');
  const labels = writeFile(join(dir, 'l'), LABELS);
  assert.throws(() => importIdx({ images, labels, out: join(dir, 'o2'), classNames: ['only'] }), /has label 1, but only 1 class names/);
  assert.throws(() => importIdx({ images: labels, labels, out: join(dir, 'o3') }), /expected images of shape N x H x W/);
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const haveFashion = existsSync(join(FASHION, 't10k-labels-idx1-ubyte.gz'));

// The first ten labels of the TRAINING set are 9,0,0,3,0,2,7,2,5,5; those of the test set (t10k) are 9,2,1,1,6,1,4,6,5,7.
test(
  'Fashion-MNIST (Debian dataset-fashion-mnist): known first labels of train and test sets; import of the first test images',
  { skip: haveFashion ? false : `${FASHION} is absent (apt-get install dataset-fashion-mnist; CI installs it)` },
  (t) => {
    const train = readIdxFile(join(FASHION, 'train-labels-idx1-ubyte.gz'));
    assert.deepEqual(train.dims, [60000]);
    assert.deepEqual([...train.data.subarray(0, 10)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    const test10k = readIdxFile(join(FASHION, 't10k-labels-idx1-ubyte.gz'));
    assert.deepEqual(test10k.dims, [10000]);
    assert.deepEqual([...test10k.data.subarray(0, 10)], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    const out = join(tempDir(t), 'fm');
    const r = importIdx({
      images: join(FASHION, 't10k-images-idx3-ubyte.gz'),
      labels: join(FASHION, 't10k-labels-idx1-ubyte.gz'),
      out,
      limit: 10,
      classNames: FASHION_MNIST_CLASSES,
    });
    assert.deepEqual([r.count, r.height, r.width], [10, 28, 28]);
    assert.deepEqual(readdirSync(join(out, 'Ankle_boot')), ['00000.png']);
    assert.deepEqual(readdirSync(join(out, 'Trouser')).sort(), ['00002.png', '00003.png', '00005.png']);
    assert.equal(indexDatasetFolder(out).classNames.length, 10);
  },
);
