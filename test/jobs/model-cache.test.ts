// The per-worker model cache (main/jobs/model-cache.ts) and the stat-keyed model hash cache (main/jobs/hash-cache.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VisionModel } from '../../main/engine/model/vision-model';
import { ModelCache } from '../../main/jobs/model-cache';
import { cachedModelHash, modelFingerprint } from '../../main/jobs/hash-cache';

function fakeModel(name: string, disposed: string[]): VisionModel {
  return { hash: name, dispose: () => disposed.push(name) } as unknown as VisionModel;
}

test('a model is loaded once per worker and handed to the next job on the same content hash', async () => {
  const disposed: string[] = [];
  let loads = 0;
  const cache = new ModelCache(1);
  const load = (name: string) => async () => (loads++, fakeModel(name, disposed));
  const a = await cache.acquire('h1', load('a'));
  assert.equal(a.reused, false);
  a.release();
  const b = await cache.acquire('h1', load('b'));
  assert.equal(b.reused, true);
  assert.equal(b.vm, a.vm);
  assert.equal(loads, 1);
  // the same model leased twice at once: a second copy, not shared
  const c = await cache.acquire('h1', load('c'));
  assert.equal(c.reused, false);
  assert.notEqual(c.vm, b.vm);
  b.release();
  c.release();
  assert.equal(cache.size, 1, 'one idle model kept');
  assert.deepEqual(disposed, ['a']);
  // another model: the idle one is disposed before it loads
  const d = await cache.acquire('h2', async () => {
    assert.equal(cache.size, 0, 'evicted before loading');
    return fakeModel('d', disposed);
  });
  d.release({ modified: true });
  assert.equal(cache.size, 0, 'a modified model is never handed out again');
  assert.deepEqual(disposed, ['a', 'c', 'd']);
  d.release(); // idempotent
  assert.deepEqual(disposed, ['a', 'c', 'd']);
});

test('a cache of 0 models disposes on release', async () => {
  const disposed: string[] = [];
  const cache = new ModelCache(0);
  (await cache.acquire('h', async () => fakeModel('x', disposed))).release();
  assert.deepEqual(disposed, ['x']);
});

test('a model hash is computed once while its files are unchanged, again after any change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dixw-hash-'));
  try {
    const env = { DIXW_CACHE_DIR: join(dir, 'cache') };
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'model.json'), '{}');
    writeFileSync(join(model, 'weights.bin'), Buffer.alloc(1000, 1));
    let computed = 0;
    const compute = () => `hash${++computed}`;
    const hits: boolean[] = [];
    const onLookup = (hit: boolean) => hits.push(hit);
    assert.equal(cachedModelHash(model, compute, { env, onLookup }), 'hash1');
    assert.equal(cachedModelHash(model, compute, { env, onLookup }), 'hash1');
    assert.deepEqual(hits, [false, true]);
    // same size, new content and mtime: computed again
    writeFileSync(join(model, 'weights.bin'), Buffer.alloc(1000, 2));
    utimesSync(join(model, 'weights.bin'), new Date(), new Date(Date.now() + 5000));
    assert.equal(cachedModelHash(model, compute, { env }), 'hash2');
    // a new file in the folder changes the fingerprint too
    const before = modelFingerprint(model);
    writeFileSync(join(model, 'preprocessing.json'), '{}');
    assert.notEqual(modelFingerprint(model), before);
    assert.equal(cachedModelHash(model, compute, { env }), 'hash3');
    // a corrupt cache file costs only a re-hash
    writeFileSync(join(dir, 'cache', 'model-hashes.json'), 'not json');
    assert.equal(cachedModelHash(model, compute, { env }), 'hash4');
    assert.equal(cachedModelHash(model, compute, { env }), 'hash4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

