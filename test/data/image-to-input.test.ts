import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreprocessingSchema } from '../../shared/preprocessing.js';
import {
  luma,
  normalizeUnitImage,
  resizeBilinear,
  rgbaToChannels,
  toModelInput,
  toUnitImage,
} from '../../main/engine/data/image-to-input.js';
import type { DecodedImage } from '../../main/engine/data/image-decode.js';

function close(actual: ArrayLike<number>, expected: number[], eps = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= eps, `[${i}] ${actual[i]} != ${expected[i]}`);
  }
}

const prep = (p: Record<string, unknown>) => PreprocessingSchema.parse(p);

test('bilinear 2x2 -> 4x4 uses half-pixel centres (hand-computed, as PyTorch align_corners=False)', () => {
  // 1-D rule for 2 -> 4: [a, .75a+.25b, .25a+.75b, b]
  const out = resizeBilinear([0, 4, 8, 12], 2, 2, 1, 4, 4);
  close(out, [0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
});

test('bilinear identity resize returns the input unchanged', () => {
  const src = Float32Array.from({ length: 5 * 3 * 3 }, (_, i) => Math.sin(i) * 100);
  assert.deepEqual([...resizeBilinear(src, 5, 3, 3, 5, 3)], [...src]);
});

test('bilinear 4x4 -> 2x2 averages the 2x2 blocks; 1x3 -> 1x2 gives hand-computed values', () => {
  const src = Array.from({ length: 16 }, (_, i) => i);
  close(resizeBilinear(src, 4, 4, 1, 2, 2), [2.5, 4.5, 10.5, 12.5]);
  // scale 1.5: x=0 samples 0.25 -> .75*0 + .25*4; x=1 samples 1.75 -> .25*4 + .75*8
  close(resizeBilinear([0, 4, 8], 1, 3, 1, 1, 2), [1, 7]);
});

test('bilinear keeps channels separate', () => {
  // 1x2 RGB -> 1x4: each channel follows the 1-D rule independently.
  const out = resizeBilinear([0, 100, 40, 4, 100, 0], 1, 2, 3, 1, 4);
  close(out, [0, 100, 40, 1, 100, 30, 3, 100, 10, 4, 100, 0]);
});

test('luma is 0.299R + 0.587G + 0.114B and alpha is ignored', () => {
  assert.equal(luma(255, 0, 0), 0.299 * 255);
  close(rgbaToChannels(Uint8Array.from([255, 0, 0, 0, 0, 255, 0, 17, 10, 20, 30, 255]), 3, 1), [76.245, 149.685, 0.299 * 10 + 0.587 * 20 + 0.114 * 30], 1e-4);
  close(rgbaToChannels(Uint8Array.from([1, 2, 3, 0]), 1, 3), [1, 2, 3]);
});

test('toModelInput: v/scale then (v-mean)/std; one mean/std entry applies to all channels', () => {
  const img: DecodedImage = { width: 1, height: 1, rgba: Uint8Array.from([255, 0, 51, 7]) };
  close(toModelInput(img, prep({ height: 1, width: 1, channels: 3, mean: [0.5], std: [0.5] })), [1, -1, -0.6]);
  // defaults: scale 255, mean 0, std 1 -> plain [0,1]
  close(toModelInput(img, prep({ height: 1, width: 1, channels: 3 })), [1, 0, 0.2]);
});

test('toModelInput: per-channel ImageNet mean/std and a custom scale', () => {
  const img: DecodedImage = { width: 1, height: 1, rgba: Uint8Array.from([255, 128, 0, 255]) };
  const p = prep({ height: 1, width: 1, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  close(toModelInput(img, p), [(1 - 0.485) / 0.229, (128 / 255 - 0.456) / 0.224, (0 - 0.406) / 0.225]);
  close(toModelInput(img, prep({ height: 1, width: 1, channels: 3, scale: 1 })), [255, 128, 0]);
});

test('toModelInput resizes to H x W and converts to luma, channels last', () => {
  // 2x1 gray-ish image, values 0 and 255 -> 4x2 target: columns follow the 1-D rule, rows repeat.
  const img: DecodedImage = { width: 2, height: 1, rgba: Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255]) };
  const out = toModelInput(img, prep({ height: 2, width: 4, channels: 1 }));
  close(out, [0, 0.25, 0.75, 1, 0, 0.25, 0.75, 1]);
});

test('toUnitImage then normalizeUnitImage equals toModelInput; a blacked-out unit pixel maps to -mean/std', () => {
  const rgba = Uint8Array.from({ length: 3 * 5 * 4 }, (_, i) => (i * 53) & 255);
  const img: DecodedImage = { width: 5, height: 3, rgba };
  const p = prep({ height: 4, width: 4, channels: 3, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] });
  const unit = toUnitImage(img, p);
  assert.equal(unit.length, 4 * 4 * 3);
  assert.ok(unit.every((v) => v >= 0 && v <= 1), 'unit image is in [0,1]');
  close(normalizeUnitImage(unit, p), [...toModelInput(img, p)]);
  unit.fill(0, 0, 3);
  close(normalizeUnitImage(unit, p).subarray(0, 3), [-0.2, -0.8, -0.15]);
});

test('a mean/std list whose length is neither 1 nor the channel count is rejected', () => {
  const img: DecodedImage = { width: 1, height: 1, rgba: new Uint8Array(4) };
  assert.throws(() => toModelInput(img, prep({ height: 1, width: 1, channels: 3, mean: [0, 0] })), /mean has 2 entries; expected 1 or 3/);
  assert.throws(() => toModelInput(img, prep({ height: 1, width: 1, channels: 1, std: [1, 1, 1] })), /std has 3 entries/);
});
