import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeImage, detectImageFormat, ImageDecodeError, readImageFile } from '../../main/engine/data/image-decode.js';
import { encodePng } from '../../main/engine/data/image-encode.js';
import { jpegHeaderSize, MAX_IMAGE_PIXELS, oversizeReason, pngHeaderSize } from '../../main/engine/data/image-header.js';
import { isUserError } from '../../main/engine/errors.js';
import { handPng, tempDir, writeFile } from './helpers.js';

const rgbaOf = (img: { rgba: Uint8Array }) => [...img.rgba];

test('RGB, RGBA and gray PNGs round-trip exactly through encodePng/decodeImage', () => {
  const rgb = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 41) & 255);
  const a = decodeImage(encodePng({ width: 3, height: 2, channels: 3, data: rgb }));
  assert.equal(a.width, 3);
  assert.equal(a.height, 2);
  for (let p = 0; p < 6; p++) assert.deepEqual(rgbaOf(a).slice(p * 4, p * 4 + 4), [...rgb.slice(p * 3, p * 3 + 3), 255]);

  const rgba = Uint8Array.from({ length: 2 * 2 * 4 }, (_, i) => (i * 29 + 3) & 255);
  assert.deepEqual(rgbaOf(decodeImage(encodePng({ width: 2, height: 2, channels: 4, data: rgba }))), [...rgba]);

  const gray = Uint8Array.from([0, 1, 127, 128, 254, 255]);
  const g = decodeImage(encodePng({ width: 6, height: 1, channels: 1, data: gray }));
  assert.deepEqual(rgbaOf(g), [...gray].flatMap((v) => [v, v, v, 255]));
});

test('a gray PNG is stored as colour type 0 (1 byte per pixel), not expanded to RGB', () => {
  const png = encodePng({ width: 4, height: 4, channels: 1, data: new Uint8Array(16) });
  assert.equal(png[25], 0, 'IHDR colour type');
  assert.equal(encodePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(48) })[25], 2);
});

test('palette PNG (with tRNS) decodes to the palette colours', () => {
  const png = handPng({ width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 1, 2]], palette: [[255, 0, 0], [0, 128, 255], [7, 8, 9]], trns: [255, 10] });
  assert.deepEqual(rgbaOf(decodeImage(png)), [255, 0, 0, 255, 0, 128, 255, 10, 7, 8, 9, 255]);
});

test('16-bit gray PNG is scaled to 8 bits', () => {
  const png = handPng({ width: 3, height: 1, bitDepth: 16, colorType: 0, rows: [[0x00, 0x00, 0xff, 0xff, 0x80, 0x80]] });
  assert.deepEqual(rgbaOf(decodeImage(png)), [0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255]);
});

test('16-bit RGBA PNG is scaled to 8 bits', () => {
  const png = handPng({ width: 1, height: 1, bitDepth: 16, colorType: 6, rows: [[0xff, 0xff, 0x00, 0x00, 0x80, 0x80, 0x00, 0x00]] });
  assert.deepEqual(rgbaOf(decodeImage(png)), [255, 0, 128, 0]);
});

test('1-bit gray PNG expands bits to 0/255', () => {
  const png = handPng({ width: 8, height: 1, bitDepth: 1, colorType: 0, rows: [[0b10100001]] });
  const r = decodeImage(png).rgba;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((p) => r[p * 4]), [255, 0, 255, 0, 0, 0, 0, 255]);
});

test('gray+alpha PNG keeps the alpha channel', () => {
  const png = handPng({ width: 1, height: 1, bitDepth: 8, colorType: 4, rows: [[100, 50]] });
  assert.deepEqual(rgbaOf(decodeImage(png)), [100, 100, 100, 50]);
});

test('JPEG round trip stays within tolerance of the original', () => {
  const w = 16;
  const h = 12;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set([x * 15, y * 20, 128, 255], (y * w + x) * 4);
  }
  const bytes = jpeg.encode({ width: w, height: h, data }, 95).data;
  const img = decodeImage(bytes);
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  let maxDiff = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    if (i % 4 === 3) {
      assert.equal(img.rgba[i], 255, 'JPEG decodes opaque');
      continue;
    }
    const d = Math.abs(img.rgba[i]! - data[i]!);
    maxDiff = Math.max(maxDiff, d);
    sum += d;
  }
  assert.ok(maxDiff <= 16, `max abs error ${maxDiff}`);
  assert.ok(sum / (w * h * 3) <= 3, `mean abs error ${sum / (w * h * 3)}`);
});

test('format comes from the magic bytes, not the extension', (t) => {
  const dir = tempDir(t);
  const pngAsJpg = writeFile(join(dir, 'really-png.jpg'), encodePng({ width: 1, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3]) }));
  const jpgAsPng = writeFile(join(dir, 'really-jpeg.PNG'), jpeg.encode({ width: 2, height: 2, data: new Uint8Array(16).fill(200) }, 90).data);
  assert.deepEqual(rgbaOf(readImageFile(pngAsJpg)), [1, 2, 3, 255]);
  assert.equal(readImageFile(jpgAsPng).width, 2);
  assert.equal(detectImageFormat(Buffer.from('GIF89a')), null);
});

function assertDecodeError(fn: () => unknown, path: string, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ImageDecodeError, `expected ImageDecodeError, got ${String(e)}`);
    assert.ok(isUserError(e), 'is a UserError, so the CLI prints it without a stack');
    assert.equal(e.file, path);
    assert.ok(e.message.includes(path), `message names the file: ${e.message}`);
    assert.match(e.message, reason);
    return true;
  });
}

test('truncated, corrupt, unknown, empty and missing files throw ImageDecodeError naming the path', (t) => {
  const dir = tempDir(t);
  const png = encodePng({ width: 8, height: 8, channels: 3, data: new Uint8Array(192).fill(9) });
  const jpg = jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(99) }, 90).data;

  const truncPng = writeFile(join(dir, 'trunc.png'), png.subarray(0, png.length - 20));
  assertDecodeError(() => readImageFile(truncPng), truncPng, /PNG.*ends early/);

  const badCrc = Buffer.from(png);
  badCrc[40] = badCrc[40]! ^ 0xff; // inside IDAT
  const corrupt = writeFile(join(dir, 'corrupt.png'), badCrc);
  assertDecodeError(() => readImageFile(corrupt), corrupt, /corrupt or truncated PNG/);

  const truncJpg = writeFile(join(dir, 'trunc.jpg'), jpg.subarray(0, jpg.length - 40));
  assertDecodeError(() => readImageFile(truncJpg), truncJpg, /JPEG/);

  const text = writeFile(join(dir, 'notes.png'), 'hello, not an image');
  assertDecodeError(() => readImageFile(text), text, /not a PNG or JPEG/);

  const empty = writeFile(join(dir, 'empty.jpg'), '');
  assertDecodeError(() => readImageFile(empty), empty, /empty/);

  const missing = join(dir, 'missing.png');
  assertDecodeError(() => readImageFile(missing), missing, /cannot read/);

  assertDecodeError(() => decodeImage(Buffer.from([1, 2, 3]), 'buffer-name'), 'buffer-name', /not a PNG or JPEG/);
});

test('encodePng refuses data whose length does not match the size', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }), /expected 12 bytes/);
});

test('a decompression bomb is refused from its header, before decoding: PNG and JPEG, one limit', (t) => {
  const dir = tempDir(t);
  // 20000x20000 claimed by a PNG of a few dozen bytes: decoding it would take ~4 GB.
  const pngBomb = handPng({ width: 20000, height: 20000, bitDepth: 8, colorType: 2, rows: [] });
  assert.ok(pngBomb.length < 100, `${pngBomb.length} bytes`);
  assert.deepEqual(pngHeaderSize(pngBomb), { width: 20000, height: 20000 });
  const png = writeFile(join(dir, 'bomb.png'), pngBomb);
  assertDecodeError(() => readImageFile(png), png, /header says 20000x20000 pixels \(400 megapixels\), over the limit of 100 megapixels/);

  // A small real JPEG whose frame header (SOF0) is made to claim 20000x20000.
  const small = Buffer.from(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(99) }, 90).data);
  assert.deepEqual(jpegHeaderSize(small), { width: 8, height: 8 });
  const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
  small.writeUInt16BE(20000, sof + 5);
  small.writeUInt16BE(20000, sof + 7);
  const jpg = writeFile(join(dir, 'bomb.jpg'), small);
  assertDecodeError(() => readImageFile(jpg), jpg, /header says 20000x20000 pixels .*over the limit of 100 megapixels/);
  assert.throws(() => readImageFile(jpg), (e: ImageDecodeError) => /Downscale the image/.test(e.hint ?? ''));

  // Just under the limit is not refused by the header check (the decoder then says the data ends early).
  assert.equal(oversizeReason({ width: 10_000, height: MAX_IMAGE_PIXELS / 10_000 }), null);
  assert.match(oversizeReason({ width: 10_001, height: MAX_IMAGE_PIXELS / 10_000 }) ?? '', /over the limit/);
});
