// A trained model's upload to the coordinator, with real parts and no Redis: the coordinator's file server with its
// model receiver, and the upload function a fleet worker's engine process calls. The model is written at the job's
// output folder only when the files that arrived have the content hash the worker reports; a wrong hash, altered bytes,
// a different model already there or a job that writes no model are refused, and nothing is written or changed.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { modelHash } from '../../main/engine/model/load-model';
import { BlobCatalog } from '../../main/jobs/fleet/blob-catalog';
import { BlobServer } from '../../main/jobs/fleet/blob-server';
import { ModelReceiver } from '../../main/jobs/fleet/model-receiver';
import { keepUploaded, uploadModel } from '../../main/jobs/model-upload';
import { openStore, type Store } from '../../main/store/index';
import type { BlobServiceAd, BlobSource } from '../../shared/blob-protocol';
import type { JobRecord } from '../../shared/store-types';
import { UPLOAD_SHA256_HEADER, uploadPaths } from '../../shared/upload-protocol';
import { makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let store: Store;
let server: BlobServer;
let ad: BlobServiceAd;
let receiver: ModelReceiver;
/** A model as a worker trained it, and another one. */
let trained: { path: string; hash: string };
let other: { path: string; hash: string };

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-model-upload-'));
  store = openStore({ path: join(dir, 'coordinator.db') });
  receiver = new ModelReceiver();
  server = new BlobServer(new BlobCatalog(store), {}, receiver);
  ad = await server.start();
  const path = await makeModel(dir, 'trained', 1);
  trained = { path, hash: modelHash(path) };
  const otherPath = await makeModel(dir, 'other', 2);
  other = { path: otherPath, hash: modelHash(otherPath) };
});
after(async () => {
  await server?.stop();
  store?.close();
  cleanup?.();
});

const source = (): BlobSource => ({ url: ad.url, token: ad.token, cacheDir: join(dir, 'worker-cache') });
let nextJob = 1;
/** A train job the coordinator runs, writing its model at `out`. */
function trainJob(out: string, overwrite = false): number {
  const id = nextJob++;
  receiver.expect({ id, spec: { kind: 'train', out, overwrite } as JobRecord['spec'] });
  return id;
}
/** Nothing but `names` beside the output folder: no session folder or part left behind. */
const besideOut = () => readdirSync(join(dir, 'coordinator')).sort();

test('an uploaded model is written at the job\'s output folder, byte for byte, and an upload of the same model again finds it there', async () => {
  const out = join(dir, 'coordinator', 'model-a');
  const jobId = trainJob(out);
  const { receipt, files } = await uploadModel(source(), jobId, 'model', trained.path, trained.hash);
  assert.deepEqual(receipt, { v: 1, path: out, hash: trained.hash, placed: 'written' });
  assert.equal(modelHash(out), trained.hash);
  for (const f of files) assert.ok(readFileSync(join(out, f.name)).equals(readFileSync(join(trained.path, f.name))), `${f.name} is byte-identical`);
  // A retried item uploads the same model again: accepted, nothing changed.
  const again = await uploadModel(source(), jobId, 'model', trained.path, trained.hash);
  assert.equal(again.receipt.placed, 'present');
  assert.deepEqual(besideOut(), ['model-a']);

  // The worker keeps its copy in its cache by content hash, where a later fetch by hash finds it.
  const copy = join(dir, 'worker-copy');
  cpSync(trained.path, copy, { recursive: true });
  const kept = keepUploaded(source().cacheDir, copy, trained.hash, files);
  assert.equal(kept, join(source().cacheDir, 'models', trained.hash));
  assert.equal(modelHash(kept), trained.hash);
  assert.ok(existsSync(`${kept}.json`));
});

test('an upload whose files do not have the hash the worker reports is refused, and nothing is written at the output folder', async () => {
  const out = join(dir, 'coordinator', 'model-b');
  const jobId = trainJob(out);
  await assert.rejects(uploadModel(source(), jobId, 'model', trained.path, other.hash),
    new RegExp(`the coordinator refused the commit of model ${other.hash.slice(0, 12)}: refused the model of job ${jobId}: the uploaded files have content hash ${trained.hash.slice(0, 12)}, not the ${other.hash.slice(0, 12)} the worker reported; nothing was written at ${out}`));
  assert.equal(existsSync(out), false);
  assert.deepEqual(besideOut(), ['model-a'], 'no session folder left beside it');
});

test('a file whose bytes differ from the sha256 sent with it is refused on arrival', async () => {
  const jobId = trainJob(join(dir, 'coordinator', 'model-c'));
  const res = await fetch(`${ad.url}${uploadPaths.file(jobId, 'model', '0123456789abcdef', 'weights.bin')}`, {
    method: 'PUT', headers: { authorization: `Bearer ${ad.token}`, [UPLOAD_SHA256_HEADER]: 'a'.repeat(64) }, body: 'not the weights',
  });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /refused weights\.bin: its bytes have sha256 [0-9a-f]{12}, not the aaaaaaaaaaaa the worker sent with it/);
  const commit = await fetch(`${ad.url}${uploadPaths.commit(jobId, 'model', '0123456789abcdef')}`, {
    method: 'POST', headers: { authorization: `Bearer ${ad.token}` }, body: JSON.stringify({ v: 1, hash: trained.hash, files: [{ name: 'weights.bin', sha256: 'a'.repeat(64), size: 15 }] }),
  });
  assert.equal(commit.status, 409, 'the file never arrived');
  assert.equal(existsSync(join(dir, 'coordinator', 'model-c')), false);
  assert.deepEqual(besideOut(), ['model-a']);
});

test('a different model at the output folder is never replaced unless the job asked for it (--force)', async () => {
  const out = join(dir, 'coordinator', 'model-a'); // holds `trained` from the first test
  await assert.rejects(uploadModel(source(), trainJob(out), 'model', other.path, other.hash),
    new RegExp(`${out} already holds a different model \\(content hash ${trained.hash.slice(0, 12)}\\); the trained model \\(${other.hash.slice(0, 12)}\\) was not written and nothing there was changed`));
  assert.equal(modelHash(out), trained.hash, 'the model there is untouched');
  const { receipt } = await uploadModel(source(), trainJob(out, true), 'model', other.path, other.hash);
  assert.equal(receipt.placed, 'written');
  assert.equal(modelHash(out), other.hash, 'replaced, as the job asked');
  assert.deepEqual(besideOut(), ['model-a'], 'the old model moved aside and removed');
});

test('an upload for a job that writes no model here, or without the token, is refused', async () => {
  await assert.rejects(uploadModel(source(), 999, 'model', trained.path, trained.hash), /job 999 of this coordinator writes no "model" model/);
  await assert.rejects(uploadModel(source(), trainJob(join(dir, 'coordinator', 'model-d')), 'true-labels', trained.path, trained.hash), /writes no "true-labels" model/);
  await assert.rejects(uploadModel({ ...source(), token: 'x'.repeat(32) }, 1, 'model', trained.path, trained.hash), /refused this worker's token/);
  assert.deepEqual(besideOut(), ['model-a']);
});

test('session folders left beside --out by a coordinator that stopped mid-upload are removed when the job is claimed again', async () => {
  const out = join(dir, 'coordinator', 'model-e');
  const stale = `${out}.fedcba9876543210.part`;
  mkdirSync(stale);
  writeFileSync(join(stale, 'weights.bin'), 'half a model');
  mkdirSync(`${out}-mine.0123456789abcdef.part`); // another folder's session: not this job's
  trainJob(out);
  assert.equal(existsSync(stale), false);
  assert.deepEqual(besideOut(), ['model-a', 'model-e-mine.0123456789abcdef.part']);
});
