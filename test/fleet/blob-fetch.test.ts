// Models and dataset files by content hash, with real parts and no Redis: the coordinator's file server over a real
// store, model folder and synthetic dataset (with masks), and the fetcher a fleet worker's engine process uses. What
// arrives equals what was registered and is reused from the cache; what differs is refused and nothing of it is kept.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { modelHash } from '../../main/engine/model/load-model';
import { BlobFetcher } from '../../main/jobs/blob-fetcher';
import { listImages } from '../../main/store/datasets-repo';
import type { Store } from '../../main/store/index';
import type { BlobServiceAd } from '../../shared/blob-protocol';
import { startBlobServerFixture, type BlobServerFixture } from './blob-server-fixture';

let dir: string;
let fixture: BlobServerFixture | undefined;
let store: Store;
let ad: BlobServiceAd;
let model: { path: string; hash: string };
let dataset: { id: number; root: string; hash: string };

before(async () => {
  fixture = await startBlobServerFixture('dixw-blob-fetch-', 6);
  ({ dir, store, ad, model, dataset } = fixture);
});
after(async () => {
  await fixture?.close();
});

const fetcher = (cacheDir: string, token = ad.token, url = ad.url) => new BlobFetcher({ url, token, cacheDir });

test('a model, a dataset index and its files fetched by content hash equal what was registered, and are reused from the cache', async () => {
  const cache = join(dir, 'cache-a');
  const f = fetcher(cache);
  const local = await f.model(model.hash);
  assert.ok(local.startsWith(cache), local);
  assert.equal(modelHash(local), model.hash, 'the same content hash as the registered model');

  const manifest = await f.dataset(dataset.hash);
  const images = listImages(store, dataset.id);
  assert.equal(manifest.entries.length, images.length);
  assert.ok(manifest.entries.every((e) => e.mask !== null), 'the synthetic images have masks, each listed with its hash');
  const first = images[0]!;
  const blob = await f.blob(first.contentHash, 'image');
  assert.deepEqual(readFileSync(blob), readFileSync(join(dataset.root, first.relPath)));
  const mask = await f.datasetEntry(dataset.hash, first.relPath);
  assert.deepEqual(readFileSync(await f.blob(mask!.mask!.sha256, 'mask')), readFileSync(join(dataset.root, first.maskPath!)));

  // Next time nothing is asked of the coordinator: a fetcher whose server is gone still has all of it.
  const offline = fetcher(cache, ad.token, 'http://127.0.0.1:9');
  assert.equal(await offline.model(model.hash), local);
  assert.equal(await offline.blob(first.contentHash, 'image'), blob);
  assert.equal((await offline.dataset(dataset.hash)).entries.length, images.length);
});

test('a request without the coordinator\'s token is refused', async () => {
  await assert.rejects(fetcher(join(dir, 'cache-b'), 'x'.repeat(32)).model(model.hash), /refused this worker's token/);
  assert.equal(existsSync(join(dir, 'cache-b', 'models')), false);
});

test('a file whose bytes differ from its content hash is refused, saying so, and nothing of it is kept', async () => {
  const cache = join(dir, 'cache-c');
  const f = fetcher(cache);
  await f.dataset(dataset.hash); // the server knows the files by hash now
  const victim = listImages(store, dataset.id)[1]!;
  writeFileSync(join(dataset.root, victim.relPath), Buffer.from('not the indexed image'));
  await assert.rejects(f.blob(victim.contentHash, `image ${victim.relPath}`),
    new RegExp(`refused image ${victim.relPath} from the coordinator at .*: its content hash is [0-9a-f]{12}, not ${victim.contentHash.slice(0, 12)}.*nothing was kept`));
  assert.deepEqual(readdirSync(join(cache, 'blobs')), [], 'neither the file nor a part of it is kept');
});

test('a model whose files changed at the coordinator since registration is refused and not kept', async () => {
  const cache = join(dir, 'cache-d');
  appendFileSync(join(model.path, 'model.json'), ' ');
  await assert.rejects(fetcher(cache).model(model.hash),
    new RegExp(`refused model ${model.hash.slice(0, 12)} from the coordinator at .*: its files have content hash [0-9a-f]{12}, not ${model.hash.slice(0, 12)}`));
  assert.deepEqual(readdirSync(join(cache, 'models')).filter((n) => !n.endsWith('.part')), [], 'no model kept');
});
