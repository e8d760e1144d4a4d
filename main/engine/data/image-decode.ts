// Decodes PNG and JPEG bytes to 8-bit RGBA. The format is taken from the file's magic bytes, never its
// extension, because datasets in the wild contain JPEGs named .png and vice versa.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { UserError } from '../errors.js';
import { jpegHeaderSize, MAX_IMAGE_PIXELS, oversizeReason, pngHeaderSize } from './image-header.js';

export interface DecodedImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major, R G B A. */
  rgba: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg';

/**
 * A file that is not a readable PNG or JPEG. `file` names it so a bad image in a 10k-image folder can be found.
 * A UserError (name kept as 'UserError' so isUserError() holds): the CLI prints it without a stack trace.
 */
export class ImageDecodeError extends UserError {
  constructor(
    readonly file: string,
    readonly reason: string,
    hint = 'Replace or remove the file; only PNG and JPEG images are read.',
  ) {
    super(`Cannot decode image ${file}: ${reason}`, hint);
  }
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png';
  // JPEG: SOI marker followed by the start of another marker.
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Decodes PNG (any bit depth, palette, gray, alpha; 16-bit is scaled to 8) or baseline/progressive JPEG. */
export function decodeImage(bytes: Uint8Array, file = '<buffer>'): DecodedImage {
  const format = detectImageFormat(bytes);
  if (format === null) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ImageDecodeError(file, bytes.length === 0 ? 'the file is empty' : `not a PNG or JPEG (starts with bytes ${head})`);
  }
  // The size the header claims is checked before decoding: a small file can claim gigapixels (a decompression bomb).
  const claimed = format === 'png' ? pngHeaderSize(bytes) : jpegHeaderSize(bytes);
  const tooLarge = claimed && oversizeReason(claimed);
  if (tooLarge) throw new ImageDecodeError(file, tooLarge, 'Downscale the image (models take far smaller inputs) or remove it from the folder.');
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out: DecodedImage;
  try {
    out = format === 'png' ? decodePng(buf) : decodeJpeg(buf);
  } catch (e) {
    throw new ImageDecodeError(file, `corrupt or truncated ${format.toUpperCase()} (${explain(e)})`);
  }
  if (out.width <= 0 || out.height <= 0) throw new ImageDecodeError(file, `image has no pixels (${out.width}x${out.height})`);
  if (out.rgba.length !== out.width * out.height * 4) {
    throw new ImageDecodeError(file, `decoder returned ${out.rgba.length} bytes for ${out.width}x${out.height} RGBA`);
  }
  return out;
}

/** Reads and decodes one file; read errors are reported as ImageDecodeError too so callers handle one error type. */
export function readImageFile(path: string): DecodedImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ImageDecodeError(path, `cannot read the file (${explain(e)})`);
  }
  return decodeImage(bytes, path);
}

function decodePng(buf: Buffer): DecodedImage {
  // pngjs expands palette, gray, gray+alpha and sub-byte depths to RGBA and rescales 16-bit to 8-bit.
  const png = PNG.sync.read(buf);
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

function decodeJpeg(buf: Buffer): DecodedImage {
  const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6 });
  return { width: img.width, height: img.height, rgba: img.data };
}

function explain(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // pngjs's message for a stream that ends early is cryptic; say what it means.
  if (/read requests waitng|read requests waiting|unexpected end/i.test(msg)) return 'the data ends early';
  if (/marker was not found/i.test(msg)) return 'the data ends early (no end-of-image marker)';
  return msg;
}
