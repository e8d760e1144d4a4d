import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from '../../main/engine/data/npy.js';
import { tempDir } from './helpers.js';

/** The bytes np.save writes (numpy >= 1.24): magic, v1.0, uint16 LE header length, dict padded with spaces to a 64-byte multiple, '\n'. */
function expectedHeader(dict: string, total: number): Buffer {
  const hlen = total - 10;
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, hlen & 0xff, hlen >> 8]), Buffer.from(dict.padEnd(hlen - 1, ' ') + '\n', 'latin1')]);
}

test('float32 (2, 3): header and data byte-exact as numpy writes them', () => {
  const data = Float32Array.from([1, 2, 3, 4, 5, 6.5]);
  const bytes = encodeNpy(data, [2, 3]);
  // numpy: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + 20 growth spaces, padded to 128 bytes in all.
  const header = expectedHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 128);
  const body = Buffer.alloc(24);
  [1, 2, 3, 4, 5, 6.5].forEach((v, i) => body.writeFloatLE(v, i * 4));
  assert.deepEqual(bytes, Buffer.concat([header, body]));
  assert.equal(bytes.subarray(0, 10).toString('hex'), '934e554d505901007600');
});

test('uint8 (5,), scalar () and 4-D shapes use Python tuple syntax; header stays 64-aligned', () => {
  const u8 = encodeNpy(Uint8Array.from([1, 2, 3, 4, 255]), [5]);
  assert.deepEqual(u8, Buffer.concat([expectedHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", 128), Buffer.from([1, 2, 3, 4, 255])]));
  const scalar = encodeNpy(Float32Array.from([0.5]), []);
  assert.deepEqual(scalar.subarray(0, 128), expectedHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 128));
  const four = encodeNpy(new Float32Array(24), [1, 2, 3, 4]);
  assert.deepEqual(four.subarray(0, 128), expectedHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3, 4), }", 128));
  for (const b of [u8, scalar, four]) assert.equal((10 + b.readUInt16LE(8)) % 64, 0);
});

test('write/read round trip through a file keeps shape, dtype and values', (t) => {
  const dir = tempDir(t);
  const f = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 7 - 1);
  writeNpy(join(dir, 'f.npy'), f, [2, 3, 4]);
  const rf = readNpy(join(dir, 'f.npy'));
  assert.deepEqual(rf.shape, [2, 3, 4]);
  assert.ok(rf.data instanceof Float32Array);
  assert.deepEqual([...rf.data], [...f]);
  const u = Uint8Array.from([0, 128, 255]);
  writeNpy(join(dir, 'u.npy'), u, [3, 1]);
  const ru = readNpy(join(dir, 'u.npy'));
  assert.ok(ru.data instanceof Uint8Array);
  assert.deepEqual([ru.shape, [...ru.data]], [[3, 1], [0, 128, 255]]);
});

test('reads a header written by another tool (keys in another order, no trailing comma)', () => {
  const header = expectedHeader("{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}", 128);
  const body = Buffer.alloc(8);
  body.writeFloatLE(1.5, 0);
  body.writeFloatLE(-2, 4);
  const a = decodeNpy(Buffer.concat([header, body]));
  assert.deepEqual([a.shape, [...a.data]], [[2], [1.5, -2]]);
});

test('rejects other dtypes, Fortran order, wrong data length and bad shapes with clear errors', () => {
  const mk = (dict: string, body = Buffer.alloc(8)) => Buffer.concat([expectedHeader(dict, 128), body]);
  assert.throws(() => decodeNpy(mk("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"), 'a.npy'), /a\.npy: dtype <f8 is not supported/);
  assert.throws(() => decodeNpy(mk("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }")), /Fortran-order/);
  assert.throws(() => decodeNpy(mk("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")), /needs 12 data bytes, file has 8/);
  assert.throws(() => decodeNpy(Buffer.from('not numpy at all')), /not a \.npy file/);
  assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), /holds 6 values, data has 5/);
});
