// Content addresses: the same computation gets the same key, any difference that changes the map changes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../main/store/canonical-json';
import { mapKey, mapKeyFromProvenance, type MapKeyParts } from '../../main/store/map-key';
import { testProvenance } from './helpers';

const base: MapKeyParts = {
  modelHash: 'm1',
  imageHash: 'i1',
  methodId: 'dix3',
  methodVersion: 1,
  params: { steps: 10, baseline: 'channel-min', normalize: { perLayer: false, mode: 'none' } },
  targetClass: 3,
  cutPoints: ['stage2', 'stage3', 'stage4'],
};

test('canonical JSON sorts keys at every depth and refuses values without a JSON form', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 1 }], e: undefined, z: -0 }), '{"a":[{"c":1,"d":2}],"b":1,"z":0}');
  assert.throws(() => canonicalJson({ x: Number.NaN }), /\$\.x is NaN/);
  assert.throws(() => canonicalJson({ x: new Date(0) }), /Date/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /function/);
});

test('a map key ignores parameter order but not any parameter, the class, the cut points or the version', () => {
  const k = mapKey(base);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(mapKey({ ...base, params: { normalize: { mode: 'none', perLayer: false }, baseline: 'channel-min', steps: 10 } }), k);
  const variants: Partial<MapKeyParts>[] = [
    { modelHash: 'm2' },
    { imageHash: 'i2' },
    { methodId: 'dix2' },
    { methodVersion: 2 },
    { params: { ...base.params, steps: 20 } },
    { targetClass: 4 },
    { targetClass: null },
    { cutPoints: ['stage3', 'stage4'] },
    { cutPoints: ['stage4', 'stage3', 'stage2'] },
  ];
  const keys = new Set([k, ...variants.map((v) => mapKey({ ...base, ...v }))]);
  assert.equal(keys.size, variants.length + 1);
});

test('the key from a provenance record equals the key from its parts', () => {
  const p = testProvenance({ id: 'dix3', version: 1, params: base.params, targetClass: 3, cutPoints: [...base.cutPoints], modelHash: 'm1' });
  assert.equal(mapKeyFromProvenance(p, 'i1'), mapKey(base));
  // Times and backend are not part of what the map is.
  assert.equal(mapKeyFromProvenance({ ...p, startedAt: 'later', backend: { name: 'wasm', version: '4', detail: '' } }, 'i1'), mapKey(base));
});
