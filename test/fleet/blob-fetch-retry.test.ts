// A fetch from the coordinator's file server that fails on the network is tried again with growing pauses before it
// fails (main/jobs/network-retry.ts); a file whose bytes do not match its hash is refused at once, never asked again.
// Real parts: the file server over a real store, model and dataset, reached through a proxy that drops requests.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { modelHash } from '../../main/engine/model/load-model';
import { BlobFetcher } from '../../main/jobs/blob-fetcher';
import { listImages } from '../../main/store/datasets-repo';
import type { Store } from '../../main/store/index';
import { blobPaths, type BlobServiceAd } from '../../shared/blob-protocol';
import { startFlakyProxy, type FlakyProxy } from './flaky-proxy';
import { startBlobServerFixture, type BlobServerFixture } from './blob-server-fixture';

let dir: string;
let fixture: BlobServerFixture | undefined;
let store: Store;
let ad: BlobServiceAd;
let model: { path: string; hash: string };
let dataset: { id: number; root: string; hash: string };
let proxy: FlakyProxy | null = null;

before(async () => {
  fixture = await startBlobServerFixture('dixw-blob-retry-', 3);
  ({ dir, store, ad, model, dataset } = fixture);
});
afterEach(async () => {
  await proxy?.close();
  proxy = null;
});
after(async () => {
  await fixture?.close();
});

/** A fetcher that reaches the file server through a proxy dropping the first `drop` requests. */
async function throughProxy(cache: string, drop: number, delaysMs?: number[]): Promise<BlobFetcher> {
  proxy = await startFlakyProxy(ad.url, drop);
  return new BlobFetcher({ url: proxy.url, token: ad.token, cacheDir: join(dir, cache) }, delaysMs);
}

test('a file whose first two requests are dropped still arrives (the default pauses), asked for three times', async () => {
  const image = listImages(store, dataset.id)[0]!;
  const f = await throughProxy('cache-a', 2);
  const path = await f.blob(image.contentHash, 'image');
  assert.deepEqual(readFileSync(path), readFileSync(join(dataset.root, image.relPath)));
  assert.deepEqual(proxy!.seen, Array(3).fill(blobPaths.blob(image.contentHash)));
});

test('a manifest whose first request is dropped still arrives, and so does the model it lists', async () => {
  const f = await throughProxy('cache-b', 1);
  assert.equal(modelHash(await f.model(model.hash)), model.hash);
  assert.deepEqual(proxy!.seen.slice(0, 2), [blobPaths.model(model.hash), blobPaths.model(model.hash)]);
  assert.equal((await f.dataset(dataset.hash)).entries.length, 3);
});

test('a file server that never answers: the fetch fails after its attempts, saying so, and keeps nothing', async () => {
  const image = listImages(store, dataset.id)[1]!;
  const f = await throughProxy('cache-c', Infinity, [0, 0, 0]);
  await assert.rejects(f.blob(image.contentHash, 'image x'), /cannot reach the coordinator's file server at .* for image x .*\(tried 4 times\)/);
  assert.equal(proxy!.seen.length, 4);
  assert.deepEqual(readdirSync(join(dir, 'cache-c', 'blobs')), []);
});

test('a file whose bytes differ from its content hash is refused on the first answer, never asked for again', async () => {
  const image = listImages(store, dataset.id)[2]!;
  const f = await throughProxy('cache-d', 0, [0, 0, 0]);
  await f.dataset(dataset.hash); // the server knows the files by hash now
  writeFileSync(join(dataset.root, image.relPath), Buffer.from('not the indexed image'));
  await assert.rejects(f.blob(image.contentHash, 'image y'), /refused image y from the coordinator at .*: its content hash is [0-9a-f]{12}, not/);
  assert.deepEqual(proxy!.seen.filter((p) => p === blobPaths.blob(image.contentHash)), [blobPaths.blob(image.contentHash)]);
});
