// The coordinator side of a fetch by content hash, for the tests of the fetcher: a real store with a synthetic dataset
// (with masks) and a model registered, offered by a running file server (main/jobs/fleet/blob-server.ts).
import { join } from 'node:path';
import { modelHash } from '../../main/engine/model/load-model';
import { indexDataset } from '../../main/jobs/engine-inputs';
import { BlobCatalog } from '../../main/jobs/fleet/blob-catalog';
import { BlobServer } from '../../main/jobs/fleet/blob-server';
import { addDataset } from '../../main/store/datasets-repo';
import { openStore, type Store } from '../../main/store/index';
import type { BlobServiceAd } from '../../shared/blob-protocol';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

export interface BlobServerFixture {
  dir: string;
  store: Store;
  server: BlobServer;
  ad: BlobServiceAd;
  model: { path: string; hash: string };
  dataset: { id: number; root: string; hash: string };
  close(): Promise<void>;
}

export async function startBlobServerFixture(prefix: string, images: number): Promise<BlobServerFixture> {
  const { dir, cleanup } = tempDir(prefix);
  const store = openStore({ path: join(dir, 'coordinator.db') });
  const index = indexDataset(makeDataset(dir, 'data', images));
  const record = addDataset(store, { name: 'data', root: index.root, contentHash: index.contentHash, classes: index.classes, images: index.images });
  const dataset = { id: record.id, root: record.root, hash: record.contentHash };
  const path = await makeModel(dir);
  const model = { path, hash: modelHash(path) };
  const catalog = new BlobCatalog(store);
  catalog.offer({ model: { id: null, ...model }, dataset });
  const server = new BlobServer(catalog);
  const ad = await server.start();
  return {
    dir, store, server, ad, model, dataset,
    async close() {
      await server.stop();
      store.close();
      cleanup();
    },
  };
}
