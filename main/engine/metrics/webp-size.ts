// The information proxy of the SIC/AIC protocol (PAIR's estimate_image_entropy): the byte length of the image's lossless
// WebP encoding, as PIL's save(format='webp', lossless=True, quality=100) with its default method 4. libwebp comes as a
// wasm build (@jsquash/webp), instantiated from its file here because its loader would fetch() it. Grey images are
// encoded as RGB, as PIL converts mode 'L' for WebP.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Encode = (data: { data: Uint8ClampedArray; width: number; height: number; colorSpace?: string }, options: Record<string, number>) => Promise<ArrayBuffer>;

let encoder: Promise<Encode> | null = null;

async function loadEncoder(): Promise<Encode> {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@jsquash/webp/package.json')), 'codec', 'enc');
  const simdBytes = readFileSync(join(dir, 'webp_enc_simd.wasm'));
  // init() picks the SIMD or plain glue by probing SIMD support; the matching binary is the one that validates.
  const bytes = WebAssembly.validate(simdBytes) ? simdBytes : readFileSync(join(dir, 'webp_enc.wasm'));
  const mod = (await import('@jsquash/webp/encode.js')) as unknown as { init(m: WebAssembly.Module): Promise<unknown>; default: Encode };
  await mod.init(await WebAssembly.compile(bytes));
  return mod.default;
}

/** PIL's settings in PAIR: lossless, quality (in lossless mode: compression effort) 100, method 4. */
export const WEBP_QUALITY = 100;

export interface WebpSizeRequest {
  /** H x W x C uint8, C = 1 or 3. */
  bytes: Uint8Array;
  height: number;
  width: number;
  channels: number;
  /** Lossless compression effort 0-100; default 100, PAIR's. */
  quality?: number;
}

/**
 * Lossless WebP size in bytes of an H x W x C (C = 1 or 3) uint8 image. Effort 100 is PAIR's but slow (about 0.15 s
 * at 224 x 224 here); 75 is about 2 times faster for sizes about 1% larger.
 */
export async function webpSize({ bytes, height, width, channels, quality = WEBP_QUALITY }: WebpSizeRequest): Promise<number> {
  encoder ??= loadEncoder();
  const encode = await encoder;
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    for (let k = 0; k < 3; k++) rgba[p * 4 + k] = bytes[p * channels + (channels === 1 ? 0 : k)];
    rgba[p * 4 + 3] = 255;
  }
  const buf = await encode({ data: rgba, width, height }, { lossless: 1, quality, method: 4 });
  return buf.byteLength;
}
