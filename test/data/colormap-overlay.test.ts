import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colormap, colormapLut, COLORMAP_NAMES, gray, infernoColor, jet, normalizeMinMax, viridisColor } from '../../shared/colormap.js';
import { decodeImage } from '../../main/engine/data/image-decode.js';
import { overlayPng, overlayRgb } from '../../main/engine/data/overlay.js';

test('colormap endpoints match matplotlib (viridis, inferno, jet, gray)', () => {
  assert.deepEqual(viridisColor(0), [68, 1, 84]);
  assert.deepEqual(viridisColor(1), [253, 231, 37]);
  assert.deepEqual(infernoColor(0), [0, 0, 4]);
  assert.deepEqual(infernoColor(1), [252, 255, 164]);
  assert.deepEqual(jet(0), [0, 0, 128]);
  assert.deepEqual(jet(1), [128, 0, 0]);
  assert.deepEqual(gray(0.5), [128, 128, 128]);
});

test('jet is matplotlib piecewise-linear: hand-computed midpoint', () => {
  // x = 0.5: red rises 0.35 -> 0.66 (0.15/0.31), green is 1 on 0.375..0.64, blue falls 0.34 -> 0.65.
  const r = Math.round((255 * 0.15) / 0.31);
  assert.deepEqual(jet(0.5), [r, 255, Math.round(255 * (1 - 0.16 / 0.31))]);
});

test('tables are interpolated between entries, and out-of-range or NaN values clamp', () => {
  const a = viridisColor(0);
  const b = viridisColor(1 / 255);
  const mid = viridisColor(0.5 / 255);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(mid[c]! - (a[c]! + b[c]!) / 2) <= 0.5 + 1e-9);
  for (const name of COLORMAP_NAMES) {
    const f = colormap(name);
    assert.deepEqual(f(-3), f(0));
    assert.deepEqual(f(7), f(1));
    assert.deepEqual(f(Number.NaN), f(0));
  }
});

test('viridis and inferno get brighter monotonically (perceptual ordering)', () => {
  for (const f of [viridisColor, infernoColor]) {
    let prev = -1;
    for (let k = 0; k <= 64; k++) {
      const [r, g, b] = f(k / 64);
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      assert.ok(l >= prev - 0.5, `luma drops at ${k / 64}`);
      prev = l;
    }
  }
});

test('colormapLut entry k is the colour of k/(n-1)', () => {
  const lut = colormapLut('inferno', 5);
  assert.equal(lut.length, 15);
  assert.deepEqual([...lut.subarray(6, 9)], infernoColor(0.5));
  assert.throws(() => colormap('rainbow' as never), /Unknown colormap "rainbow"/);
});

test('normalizeMinMax: min -> 0, max -> 1; a constant map gives zeros; NaN becomes 0', () => {
  assert.deepEqual([...normalizeMinMax([2, 4, 6])], [0, 0.5, 1]);
  assert.deepEqual([...normalizeMinMax([3, 3, 3])], [0, 0, 0]);
  assert.deepEqual([...normalizeMinMax([Number.NaN, -1, 1])], [0, 0, 1]);
});

test('overlay: opacity 0 is the image, opacity 1 the coloured min-max map, 0.5 the average', () => {
  const img = Float32Array.from([0, 0, 0, 1, 1, 1]); // 1x2 RGB: black, white
  const map = Float32Array.from([10, 20]);
  assert.deepEqual([...overlayRgb(img, map, { height: 1, width: 2, opacity: 0 })], [0, 0, 0, 255, 255, 255]);
  assert.deepEqual([...overlayRgb(img, map, { height: 1, width: 2, opacity: 1, colormap: 'viridis' })], [...viridisColor(0), ...viridisColor(1)]);
  const half = overlayRgb(img, map, { height: 1, width: 2, opacity: 0.5, colormap: 'gray' });
  assert.deepEqual([...half], [0, 0, 0, 255, 255, 255], 'gray map 0 on black and 1 on white blend to themselves');
  const constant = overlayRgb(img, Float32Array.from([5, 5]), { height: 1, width: 2, opacity: 1, colormap: 'jet' });
  assert.deepEqual([...constant], [...jet(0), ...jet(0)]);
});

test('overlayPng: gray image expands to RGB, output decodes to the blended bytes', () => {
  const img = Float32Array.from([0.2, 0.8]);
  const map = Float32Array.from([0, 1]);
  const opts = { height: 2, width: 1, opacity: 0.25, colormap: 'inferno' as const };
  const rgb = overlayRgb(img, map, opts);
  const expect0 = infernoColor(0).map((c) => Math.round(0.75 * 0.2 * 255 + 0.25 * c));
  assert.deepEqual([...rgb.subarray(0, 3)], expect0);
  const dec = decodeImage(overlayPng(img, map, opts));
  assert.deepEqual([dec.width, dec.height], [1, 2]);
  assert.deepEqual([...dec.rgba], [...rgb.subarray(0, 3), 255, ...rgb.subarray(3, 6), 255]);
  assert.throws(() => overlayRgb(img, Float32Array.from([1, 2, 3]), opts), /map has 3 values/);
  assert.throws(() => overlayRgb(new Float32Array(4), map, opts), /expected 2x1x1 or 3/);
  assert.throws(() => overlayRgb(img, map, { ...opts, colormap: 'nope' }), /unknown colormap "nope"/);
});
