// MNIST-format IDX files (Fashion-MNIST ships as these) and their import into an ImageFolder.
// Format: 2 zero bytes, a type byte, a dimension count, then one big-endian uint32 per dimension, then the data.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { encodePng } from './image-encode.js';

export const FASHION_MNIST_CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
] as const;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export class IdxError extends UserError {}

const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

/** Parses IDX bytes, gunzipping first when they start with the gzip magic 1f 8b. Only unsigned bytes (type 0x08). */
export function parseIdx(bytes: Uint8Array, file = '<buffer>'): IdxArray {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new IdxError(`${file}: corrupt gzip data (${e instanceof Error ? e.message : String(e)}).`);
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new IdxError(`${file} is not an IDX file (bad magic number).`);
  const type = buf[2]!;
  const ndim = buf[3]!;
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16)}`;
    throw new IdxError(`${file}: IDX element type ${name} is not supported; only unsigned bytes (0x08) are.`);
  }
  if (ndim === 0) throw new IdxError(`${file}: IDX file has no dimensions.`);
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) throw new IdxError(`${file}: truncated IDX header.`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerLen;
  if (have !== count) {
    throw new IdxError(`${file}: header says ${dims.join(' x ')} = ${count} bytes of data, file has ${have}${have < count ? ' (truncated)' : ''}.`);
  }
  return { dims, data: buf.subarray(headerLen, headerLen + count) };
}

export function readIdxFile(path: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IdxError(`Cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseIdx(bytes, path);
}

export interface ImportIdxOptions {
  /** Path of the images file (N x H x W). */
  images: string;
  /** Path of the labels file (N). */
  labels: string;
  /** ImageFolder to write. */
  out: string;
  /** Import only the first `limit` images. */
  limit?: number;
  /** Folder name per label; default class_0, class_1, ... (zero-padded past 10 classes so sorting keeps label order). */
  classNames?: readonly string[];
}

export interface ImportIdxResult {
  out: string;
  count: number;
  height: number;
  width: number;
  classNames: string[];
}

/**
 * Writes out/<className>/<index>.png (8-bit gray). Every class folder is created, even one with no images
 * under `limit`, so the ImageFolder's class list does not depend on the limit.
 * Note: an ImageFolder numbers classes by sorted folder name, which for FASHION_MNIST_CLASSES is not the IDX label order.
 */
export function importIdx(opts: ImportIdxOptions): ImportIdxResult {
  const images = readIdxFile(opts.images);
  const labels = readIdxFile(opts.labels);
  if (images.dims.length !== 3) throw new IdxError(`${opts.images}: expected images of shape N x H x W, found ${images.dims.join(' x ')}.`);
  if (labels.dims.length !== 1) throw new IdxError(`${opts.labels}: expected labels of shape N, found ${labels.dims.join(' x ')}.`);
  const [n, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new IdxError(`${opts.images} has ${n} images but ${opts.labels} has ${labels.dims[0]} labels; they must agree.`);
  }
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0)) throw new IdxError(`limit must be a non-negative integer (got ${opts.limit}).`);
  const count = Math.min(n, opts.limit ?? n);
  // Over all labels, not just the first `limit`, so the class folders do not depend on the limit.
  const maxLabel = labels.data.reduce((m, v) => Math.max(m, v), 0);
  const classNames = opts.classNames ? [...opts.classNames] : defaultClassNames(maxLabel + 1);
  if (maxLabel >= classNames.length) {
    throw new IdxError(`${opts.labels} has label ${maxLabel}, but only ${classNames.length} class names were given.`);
  }
  if (new Set(classNames).size !== classNames.length) throw new IdxError(`class names must be distinct: ${classNames.join(', ')}`);
  for (const c of classNames) mkdirSync(join(opts.out, c), { recursive: true });
  const digits = Math.max(5, String(Math.max(0, count - 1)).length);
  const px = h * w;
  for (let i = 0; i < count; i++) {
    const data = images.data.subarray(i * px, (i + 1) * px);
    const name = `${String(i).padStart(digits, '0')}.png`;
    writeFileSync(join(opts.out, classNames[labels.data[i]!]!, name), encodePng({ width: w, height: h, channels: 1, data }));
  }
  return { out: opts.out, count, height: h, width: w, classNames };
}

function defaultClassNames(k: number): string[] {
  const digits = String(Math.max(0, k - 1)).length;
  return Array.from({ length: k }, (_, i) => `class_${String(i).padStart(digits, '0')}`);
}
