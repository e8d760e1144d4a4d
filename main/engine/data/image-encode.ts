// Encodes 8-bit pixels to PNG. Output is byte-deterministic for the same pixels (fixed zlib settings),
// which the synthetic dataset relies on ("same seed, same bytes").
import { PNG } from 'pngjs';

export interface RawPixels {
  width: number;
  height: number;
  /** 1 = gray, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  /** width * height * channels bytes, row-major, channels last. */
  data: Uint8Array;
}

const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** Encodes gray, RGB or RGBA bytes as an 8-bit PNG of the same colour type (gray stays 1 channel on disk). */
export function encodePng(img: RawPixels): Buffer {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`encodePng: bad size ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new Error(`encodePng: expected ${width * height * channels} bytes for ${width}x${height}x${channels}, got ${data.length}`);
  }
  const colorType = COLOR_TYPE[channels];
  const png = new PNG({ width, height });
  // Input already in the output layout, so pngjs takes its no-conversion path (its own gray conversion averages R,G,B).
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4, deflateLevel: 9, filterType: -1 });
}
