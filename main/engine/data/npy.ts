// NumPy .npy (format 1.0) for exporting maps and reading them back: '<f4' (float32) and '|u1' (uint8), C order.
// The header is written byte-for-byte as numpy >= 1.24 writes it (np.save), including its spare growth space,
// so exported files diff cleanly against Python's.
import { readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';

export type NpyData = Float32Array | Uint8Array;
export interface NpyArray<T extends NpyData = NpyData> {
  shape: number[];
  data: T;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** numpy pads the header so the first axis can grow in place to this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;

export class NpyError extends UserError {}

function descrOf(data: NpyData): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Uint8Array) return '|u1';
  throw new NpyError('npy: only Float32Array and Uint8Array can be written');
}

/** Python's repr of a tuple of ints: (), (5,), (2, 3). */
function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** The full header (magic, version, length, dict, padding, newline) as numpy writes it. */
export function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const hlen = dict.length + 1; // + '\n'
  const padlen = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN); // numpy pads by a full 64 when already aligned
  const total = hlen + padlen;
  if (total > 0xffff) throw new NpyError(`npy: header of ${total} bytes does not fit format 1.0`);
  const out = new Uint8Array(10 + total);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  out[8] = total & 0xff; // little-endian uint16
  out[9] = total >> 8;
  const text = dict + ' '.repeat(padlen) + '\n';
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

export function encodeNpy(data: NpyData, shape: readonly number[]): Buffer {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new NpyError(`npy: bad shape ${shapeRepr(shape)}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new NpyError(`npy: shape ${shapeRepr(shape)} holds ${count} values, data has ${data.length}`);
  const header = npyHeader(descrOf(data), shape);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Float32Array bytes are little-endian on every platform Node runs on, which is what '<f4' states.
  return Buffer.concat([header, body]);
}

export function decodeNpy(bytes: Uint8Array, file = '<buffer>'): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyError(`${file} is not a .npy file (bad magic).`);
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${file}: truncated .npy header.`);
    headerLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
    start = 12;
  } else throw new NpyError(`${file}: .npy format version ${major}.${bytes[7]} is not supported.`);
  if (bytes.length < start + headerLen) throw new NpyError(`${file}: truncated .npy header.`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerLen).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(`${file}: cannot parse .npy header ${JSON.stringify(header)}.`);
  if (fortran === 'True') throw new NpyError(`${file}: Fortran-order arrays are not supported; save with np.ascontiguousarray first.`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number.parseInt(s.replace(/L$/, ''), 10));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`${file}: bad shape (${shapeText}).`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;

  let itemSize: number;
  if (descr === '<f4') itemSize = 4;
  else if (descr === '|u1' || descr === 'u1' || descr === '<u1') itemSize = 1;
  else throw new NpyError(`${file}: dtype ${descr} is not supported; only float32 ('<f4') and uint8 ('|u1') are.`);
  if (bytes.length - offset !== count * itemSize) {
    throw new NpyError(`${file}: shape ${shapeRepr(shape)} needs ${count * itemSize} data bytes, file has ${bytes.length - offset}.`);
  }
  // Copy: the data may not be 4-byte aligned inside the file's buffer, and callers may keep it.
  // (Uint8Array.prototype.slice copies; Buffer#slice would only make a view.)
  const raw = Uint8Array.prototype.slice.call(bytes, offset, offset + count * itemSize);
  const data = itemSize === 4 ? new Float32Array(raw.buffer, raw.byteOffset, count) : new Uint8Array(raw.buffer, raw.byteOffset, count);
  return { shape, data };
}

export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeFileSync(path, encodeNpy(data, shape));
}

export function readNpy(path: string): NpyArray {
  return decodeNpy(readFileSync(path), path);
}
