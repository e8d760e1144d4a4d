// Decoding side of a dataset index: one entry -> the model's input, its [0,1] image, or its ground-truth mask.
import type { Preprocessing } from '../../../shared/preprocessing.js';
import type { DatasetEntry } from './dataset-folder.js';
import { readImageFile, type DecodedImage } from './image-decode.js';
import { luma, normalizeUnitImage, toModelInput, toUnitImage } from './image-to-input.js';

/** The model's input for one entry (H * W * C float32, channels last). */
export function loadImageInput(entry: DatasetEntry, prep: Preprocessing): Float32Array {
  return toModelInput(readImageFile(entry.absPath), prep);
}

/** The entry resized to the model's size in [0,1] space, plus its normalized input (metrics need both). */
export function loadImagePair(entry: DatasetEntry, prep: Preprocessing): { unit: Float32Array; input: Float32Array } {
  const unit = toUnitImage(readImageFile(entry.absPath), prep);
  return { unit, input: normalizeUnitImage(unit, prep) };
}

/** The entry's mask as 0/1 bytes at H x W, or null when the entry has none. */
export function loadMask(entry: DatasetEntry, height: number, width: number): Uint8Array | null {
  if (entry.maskPath === null) return null;
  return maskFromDecoded(readImageFile(entry.maskPath), height, width);
}

/**
 * Foreground = luma > 127 (alpha ignored), then nearest-neighbour resize with half-pixel centres
 * (PyTorch 'nearest-exact'): a mask must stay binary, and half-pixel sampling keeps it aligned with the
 * bilinear-resized image.
 */
export function maskFromDecoded(img: DecodedImage, height: number, width: number): Uint8Array {
  const { width: sw, height: sh, rgba } = img;
  const out = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / width));
      const p = (sy * sw + sx) * 4;
      out[y * width + x] = luma(rgba[p]!, rgba[p + 1]!, rgba[p + 2]!) > 127 ? 1 : 0;
    }
  }
  return out;
}
