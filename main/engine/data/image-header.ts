// An image's size as its header states it (PNG IHDR, JPEG SOF), read before any pixel is decoded: a file of a few
// bytes can claim 20000x20000 pixels, and decoding it would take gigabytes and minutes (a decompression bomb).

/** The most pixels an image may have, PNG and JPEG alike: 100 megapixels (400 MB as RGBA). */
export const MAX_IMAGE_PIXELS = 100_000_000;

export interface ImageSize {
  width: number;
  height: number;
}

/** PNG: the IHDR chunk comes first, right after the 8-byte signature: length, "IHDR", width, height (big-endian). */
export function pngHeaderSize(bytes: Uint8Array): ImageSize | null {
  if (bytes.length < 24) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic); C4, C8 and CC are other segments. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * JPEG: walks the segments after SOI to the first SOF: length, precision, height, width (big-endian). Null when the
 * header ends first or the frame's height is left to a later DNL segment (0); the decoder's own limit then applies.
 */
export function jpegHeaderSize(bytes: Uint8Array): ImageSize | null {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length: TEM, RST0-7, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2;
      continue;
    }
    if (marker === 0xda) return null; // start of scan: no frame header before it
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) return null;
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      return height === 0 ? null : { width, height };
    }
    if (length < 2) return null;
    at += 2 + length;
  }
  return null;
}

/** Why an image of this size is refused, or null if it may be decoded. */
export function oversizeReason(size: ImageSize): string | null {
  const pixels = size.width * size.height;
  if (pixels <= MAX_IMAGE_PIXELS) return null;
  return `its header says ${size.width}x${size.height} pixels (${(pixels / 1e6).toFixed(0)} megapixels), over the limit of ${MAX_IMAGE_PIXELS / 1e6} megapixels per image; it was not decoded`;
}
