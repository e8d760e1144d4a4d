// The map codec: <= 16 KB per 224 x 224 map, within 1e-3 after min-max normalization, refusing invalid maps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMap, SIZE_BUDGET_BYTES, encodeMap, MapCodecError, readMapHeader } from '../../main/store/map-codec';
import { areaHalve, dix3LikeMap, igLikeMap, noiseMap, normalizedMaxError, rng, smoothMap } from './map-fields';

const REQUIRED_ERROR = 1e-3;

test('smooth CAM/DIX-like maps stay at 224 x 224, fit in 16 KB and come back within 1e-3', (t) => {
  const cases: [string, Float32Array][] = [];
  for (const seed of [1, 2, 3]) {
    cases.push([`7x7 field #${seed}`, smoothMap(7, seed)], [`14x14 field #${seed}`, smoothMap(14, seed)], [`28x28 field #${seed}`, smoothMap(28, seed)]);
    cases.push([`DIX3-like mix #${seed}`, dix3LikeMap(seed * 10)]);
  }
  for (const [name, map] of cases) {
    const blob = encodeMap(map, 224, 224);
    const decoded = decodeMap(blob);
    assert.equal(decoded.height, 224, name);
    assert.equal(decoded.width, 224, name);
    assert.ok(blob.length <= SIZE_BUDGET_BYTES, `${name}: ${blob.length} bytes`);
    const err = normalizedMaxError(map, decoded.values);
    assert.ok(err <= REQUIRED_ERROR, `${name}: error ${err}`);
    assert.ok(err <= decoded.maxError + 1e-6, `${name}: error ${err} above the stated ${decoded.maxError}`);
    t.diagnostic(`${name}: ${blob.length} bytes, max error ${err.toExponential(2)}`);
  }
});

test('the decoded extremes are exact, so normalizing by the decoded min and max keeps the bound', () => {
  const map = smoothMap(14, 5).map((v) => v * 3.7 - 12.25);
  const d = decodeMap(encodeMap(map, 224, 224));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.equal(Math.min(...d.values), lo);
  assert.equal(Math.max(...d.values), hi);
  assert.equal(d.min, lo);
  assert.equal(d.max, hi);
});

test('noise-like (IG) maps are stored at full resolution by default, and at a stated lower one within a size budget', (t) => {
  for (const [name, map] of [['IG-like', igLikeMap(3)], ['gaussian noise', noiseMap(4)]] as const) {
    const blob = encodeMap(map, 224, 224, { maxBytes: SIZE_BUDGET_BYTES });
    const d = decodeMap(blob);
    assert.ok(blob.length <= SIZE_BUDGET_BYTES, `${name}: ${blob.length} bytes`);
    assert.ok(d.height < 224 && d.width < 224, `${name} should be stored smaller`);
    assert.equal(d.sourceHeight, 224);
    assert.equal(d.sourceWidth, 224);
    // Within 1e-3 of the area-averaged map at the stated resolution.
    let ref: { values: ArrayLike<number>; h: number; w: number } = { values: Float64Array.from(map), h: 224, w: 224 };
    while (ref.h > d.height) ref = areaHalve(ref.values, ref.h, ref.w);
    const err = normalizedMaxError(ref.values, d.values);
    assert.ok(err <= REQUIRED_ERROR, `${name}: error ${err}`);
    const full = encodeMap(map, 224, 224);
    assert.equal(readMapHeader(full).height, 224);
    assert.ok(normalizedMaxError(map, decodeMap(full).values) <= REQUIRED_ERROR);
    t.diagnostic(`${name}: ${full.length} bytes at 224x224; stored ${blob.length} bytes at ${d.height}x${d.width}`);
  }
});

test('constant maps, odd shapes and a tighter error bound round-trip', () => {
  const constant = new Float32Array(224 * 224).fill(0.25);
  const c = encodeMap(constant, 224, 224);
  assert.ok(c.length < 100, `${c.length} bytes`);
  const dc = decodeMap(c);
  assert.ok(dc.constant);
  assert.ok(dc.values.every((v) => v === 0.25));

  const r = rng(9);
  for (const [h, w] of [[1, 1], [1, 7], [5, 1], [7, 5], [13, 224], [33, 65], [224, 224]] as const) {
    const values = Float64Array.from({ length: h * w }, () => r() * 10 - 5);
    const d = decodeMap(encodeMap(values, h, w, { maxBytes: Infinity }));
    assert.deepEqual([d.height, d.width], [h, w]);
    assert.ok(normalizedMaxError(values, d.values) <= REQUIRED_ERROR, `${h}x${w}`);
  }
  const map = smoothMap(28, 11);
  const tight = decodeMap(encodeMap(map, 224, 224, { maxError: 1e-4, maxBytes: Infinity }));
  assert.ok(normalizedMaxError(map, tight.values) <= 1e-4);
  assert.ok(Math.abs(tight.maxError - 1e-4) < 2e-5);
});

test('NaN, infinities, wrong lengths and bad options are refused with a clear error', () => {
  const map = smoothMap(7, 1);
  map[224 * 3 + 17] = Number.NaN;
  assert.throws(() => encodeMap(map, 224, 224), (e: unknown) => e instanceof MapCodecError && /row 3, column 17/.test(e.message) && /NaN/.test(e.message));
  const inf = new Float32Array(16);
  inf[5] = Number.POSITIVE_INFINITY;
  assert.throws(() => encodeMap(inf, 4, 4), (e: unknown) => e instanceof MapCodecError && /Infinity/.test(e.message));
  assert.throws(() => encodeMap(new Float32Array(10), 4, 4), /10 values but 4 x 4 = 16/);
  assert.throws(() => encodeMap(new Float32Array(0), 0, 0), /height must be an integer/);
  assert.throws(() => encodeMap(new Float32Array(4), 2, 2, { maxError: 0 }), /maxError/);
  assert.throws(() => encodeMap(new Float32Array(4).map((_, i) => i), 2, 2, { maxBytes: 10 }), /smaller than the smallest/);
});

test('corrupt or foreign blobs are refused, not misread', () => {
  const blob = encodeMap(smoothMap(14, 2), 224, 224);
  assert.throws(() => decodeMap(blob.subarray(0, 20)), /too short/);
  const bad = blob.slice();
  bad[0] = 0;
  assert.throws(() => decodeMap(bad), /bad magic/);
  assert.throws(() => decodeMap(blob.subarray(0, blob.length - 40)), /checksum/);
  for (const at of [20, 45, 300, blob.length - 1]) {
    const flipped = blob.slice();
    flipped[at] ^= 0x10;
    assert.throws(() => decodeMap(flipped), /corrupt/, `a flipped bit at byte ${at}`);
  }
});
