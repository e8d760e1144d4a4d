// Training on a fleet worker that cannot see the coordinator's dataset folder: a real `dixw worker --queue` process in
// its own mount namespace (test/fleet/hidden-worker.ts), a real redis-server, the service coordinating. The worker
// fetches the whole dataset by content hash (manifest verified by the dataset hash, every file by sha256), assembles it
// in its cache and trains from there. Training is seeded and bit-identical across processes on wasm (checked when this
// test was written), so the fleet's model has the local run's content hash and the same weight bytes; the
// training-log.json differs (timings, and the folder it read), and the model hash does not cover it. The worker trains
// in its cache and uploads the model; the coordinator writes it at --out, a folder the worker cannot see, and
// registers it there.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobSpecInput } from '../../shared/job-spec';
import { SanityItemOutputSchema, TrainItemOutputSchema } from '../../shared/job-outputs';
import { indexDatasetFolder } from '../../main/engine/data/dataset-folder';
import { modelHash } from '../../main/engine/model/load-model';
import { openService } from '../../main/service/index';
import { listItems } from '../../main/store/items-repo';
import { getJob } from '../../main/store/jobs-repo';
import { listSimilarities } from '../../main/store/similarities-repo';
import { getModel } from '../../main/store/models-repo';
import { tempDir } from '../store/helpers';
import { makeDataset } from '../helpers/workbench-fixtures';
import { skipWithoutNamespaces, startHiddenWorker } from './hidden-worker';
import { TestRedis } from './redis-server';

const SKIP = skipWithoutNamespaces();

let redis: TestRedis;
let dir: string;
let cleanup: () => void;
/** The coordinator's folder: the worker sees it empty. Models are written outside it, where the test reads them. */
let shared: string;
let data: string;

before(async () => {
  if (SKIP) return;
  redis = await TestRedis.start();
  ({ dir, cleanup } = tempDir('dixw-fleet-train-'));
  shared = join(dir, 'coordinator');
  mkdirSync(shared);
  data = makeDataset(shared, 'data', 12);
  // An empty class folder still counts as a class: the copy must have it too, or the model gets one output less.
  mkdirSync(join(data, 'zz-empty'));
});
after(async () => {
  await redis?.close();
  cleanup?.();
});

type Service = ReturnType<typeof openService>;

/** Runs the job to its end; the outputs of its items. */
async function run(svc: Service, spec: JobSpecInput) {
  return (await runJob(svc, spec)).outputs;
}

async function runJob(svc: Service, spec: JobSpecInput) {
  const { job } = await svc.jobs.submit({ spec });
  const runner = svc.runJobs({ pollMs: 50 });
  const done = await runner.waitForJob(job.id).finally(() => runner.stop());
  assert.equal(done.state, 'done', done.error ?? '');
  return { id: job.id, outputs: listItems(svc.store, job.id).map((i) => i.output) };
}

const trainSpec = (out: string): JobSpecInput => ({ kind: 'train', dataset: data, arch: 'small-cnn', width: 0.25, epochs: 2, seed: 7, out, backend: 'wasm' });

test('a train job on a worker without the dataset folder: the dataset fetched whole and verified, the same model as a local run, uploaded to --out at the coordinator', { skip: SKIP }, async () => {
  const cache = join(dir, 'train-cache');
  const worker = await startHiddenWorker(redis.url, shared, cache);
  const fleet = openService({ dbPath: join(dir, 'fleet.db'), queue: redis.url });
  // In the coordinator's folder: the worker cannot write there; only the upload puts the model there.
  const fleetModel = join(shared, 'fleet-model');
  let fetched;
  try {
    const { id, outputs } = await runJob(fleet, trainSpec(fleetModel));
    fetched = TrainItemOutputSchema.parse(outputs[0]);
    assert.equal(fetched.out, fleetModel, 'the output names the coordinator\'s path');
    const modelId = getJob(fleet.store, id)?.modelId;
    assert.ok(modelId, 'the trained model was registered');
    const registered = getModel(fleet.store, modelId);
    assert.equal(registered?.path, fleetModel);
    assert.equal(registered?.contentHash, modelHash(fleetModel), 'registered under the hash of the files at --out');
  } finally {
    await fleet.close();
    await worker.stop();
  }
  const hash = indexDatasetFolder(data).hash;
  assert.deepEqual(readdirSync(join(cache, 'dataset-folders')), [hash], 'the assembled folder is kept under the dataset\'s hash');
  assert.ok(readdirSync(join(cache, 'dataset-folders', hash)).includes('zz-empty'), 'with its empty class folder');
  assert.equal(modelHash(join(cache, 'models', fetched.modelHash)), fetched.modelHash, 'the worker keeps its copy in its cache by hash');
  assert.deepEqual(existsSync(join(cache, 'trained')) ? readdirSync(join(cache, 'trained')) : [], [], 'nothing left where it trained');

  const local = openService({ dbPath: join(dir, 'local.db'), queue: 'local', workers: 1 });
  try {
    const ref = TrainItemOutputSchema.parse((await run(local, trainSpec(join(dir, 'local-model'))))[0]);
    assert.equal(ref.model.numClasses, 4, 'three classes and the empty one');
    assert.equal(fetched.modelHash, ref.modelHash);
    assert.equal(fetched.images, ref.images);
    for (const file of ['model.json', 'weights.bin', 'preprocessing.json']) {
      assert.ok(readFileSync(join(fleetModel, file)).equals(readFileSync(join(dir, 'local-model', file))), `${file} is byte-identical`);
    }
    const log = JSON.parse(readFileSync(join(fleetModel, 'training-log.json'), 'utf8')) as { datasetHash: string };
    assert.equal(log.datasetHash, hash, 'the worker trained on the indexed data');
  } finally {
    await local.close();
  }
});

test('a data randomization sanity job that trains its model pair on a worker without the training folder: the same pair as a local run, uploaded to --train-out at the coordinator and fetched by hash by another worker', { skip: SKIP }, async () => {
  // A flat folder whose classes are named in labels.csv: the names are not in the dataset's entries, so the manifest lists the file.
  const flat = join(shared, 'flat');
  mkdirSync(flat);
  const labels = ['path,label'];
  for (const e of indexDatasetFolder(data).entries) {
    const name = e.relPath.replaceAll('/', '-');
    writeFileSync(join(flat, name), readFileSync(e.absPath));
    labels.push(`${name},${e.className}`);
  }
  writeFileSync(join(flat, 'labels.csv'), labels.join('\n') + '\n');
  const spec = (out: string): JobSpecInput => ({
    kind: 'sanity', test: 'data', dataset: flat, methods: ['gradcam'], limit: 2, seed: 3, backend: 'wasm',
    train: { dataset: flat, arch: 'small-cnn', width: 0.25, epochs: 1, randomEpochs: 1, targetAccuracy: 0, out },
  });
  const pair = (outputs: unknown[]) => {
    const p = outputs.map((o) => SanityItemOutputSchema.parse(o)).find((o) => o.kind === 'trained-pair');
    assert.ok(p?.kind === 'trained-pair');
    return p;
  };
  const similarities = (svc: Service, jobId: number) =>
    listSimilarities(svc.store, { jobId }).map((s) => `${s.imageId} ${s.step} ${s.method} ${s.measure} ${s.value}`).sort();
  // Worker A trains the pair (the image items wait for it) and stops; worker B, which never saw the pair, runs the
  // images (and one that A took as it stopped, once its lock times out).
  const cacheA = join(dir, 'sanity-cache-a');
  const cacheB = join(dir, 'sanity-cache-b');
  const fleetPair = join(shared, 'fleet-pair');
  const fleet = openService({ dbPath: join(dir, 'sanity-fleet.db'), queue: redis.url });
  let fetched;
  let fleetScores;
  try {
    const { job } = await fleet.jobs.submit({ spec: spec(fleetPair) });
    const runner = fleet.runJobs({ pollMs: 50 });
    try {
      const a = await startHiddenWorker(redis.url, shared, cacheA, ['--visibility', '2']);
      await a.waitForLines(new RegExp(`job ${job.id}: train-pair done`), 1);
      await a.stop();
      const b = await startHiddenWorker(redis.url, shared, cacheB, ['--visibility', '2']);
      try {
        const done = await runner.waitForJob(job.id);
        assert.equal(done.state, 'done', done.error ?? '');
      } finally {
        await b.stop();
      }
    } finally {
      await runner.stop();
    }
    fetched = pair(listItems(fleet.store, job.id).map((i) => i.output));
    fleetScores = similarities(fleet, job.id);
  } finally {
    await fleet.close();
  }
  assert.deepEqual(readdirSync(join(cacheA, 'dataset-folders')), [indexDatasetFolder(flat).hash]);
  assert.equal(fetched.trueLabels.path, join(fleetPair, 'true-labels'), 'the output names the coordinator\'s paths');
  assert.equal(fetched.randomLabels.path, join(fleetPair, 'random-labels'));
  for (const m of [fetched.trueLabels, fetched.randomLabels]) {
    assert.equal(modelHash(m.path), m.hash, 'written at --train-out on the coordinator');
    assert.equal(modelHash(join(cacheA, 'models', m.hash)), m.hash, 'kept by the worker that trained it');
    assert.equal(modelHash(join(cacheB, 'models', m.hash)), m.hash, 'fetched by hash by the worker that did not');
  }
  assert.equal(existsSync(join(cacheB, 'trained')), false, 'worker B trained nothing');

  const local = openService({ dbPath: join(dir, 'sanity-local.db'), queue: 'local', workers: 1 });
  try {
    const { id, outputs } = await runJob(local, spec(join(dir, 'local-pair')));
    const ref = pair(outputs);
    assert.deepEqual([fetched.trueLabels.hash, fetched.randomLabels.hash], [ref.trueLabels.hash, ref.randomLabels.hash]);
    assert.deepEqual(fleetScores, similarities(local, id), 'the same similarities as a local run');
  } finally {
    await local.close();
  }
  const classes = JSON.parse(readFileSync(join(fleetPair, 'true-labels', 'preprocessing.json'), 'utf8')).classNames;
  assert.deepEqual(classes, ['circle', 'square', 'triangle'], 'the class names from labels.csv');
});

test('a train job whose model the coordinator refuses (--out holds other files by then) fails saying so, and nothing at --out changes', { skip: SKIP }, async () => {
  const cache = join(dir, 'refused-cache');
  const out = join(shared, 'taken');
  mkdirSync(out);
  writeFileSync(join(out, 'notes.txt'), 'mine');
  const worker = await startHiddenWorker(redis.url, shared, cache);
  const fleet = openService({ dbPath: join(dir, 'refused.db'), queue: redis.url });
  try {
    const { job } = await fleet.jobs.submit({ spec: trainSpec(out) });
    const runner = fleet.runJobs({ pollMs: 50 });
    const done = await runner.waitForJob(job.id).finally(() => runner.stop());
    assert.equal(done.state, 'failed');
    assert.match(done.error ?? '', new RegExp(`the trained model \\(content hash [0-9a-f]{12}\\) could not be stored at ${out} on the coordinator: ` +
      `the coordinator refused the commit of model [0-9a-f]{12}: ${out} already holds other files; .*It stays on this worker in ${cache}/trained/`));
    assert.equal(getJob(fleet.store, job.id)?.modelId, null, 'nothing registered');
  } finally {
    await fleet.close();
    await worker.stop();
  }
  assert.deepEqual(readdirSync(out), ['notes.txt'], 'the folder is as it was');
  assert.deepEqual(readdirSync(shared).filter((n) => n.startsWith('taken')), ['taken'], 'no upload session left beside it');
  const kept = readdirSync(join(cache, 'trained'));
  assert.equal(kept.length, 1, 'the worker keeps the model it trained');
  assert.ok(existsSync(join(cache, 'trained', kept[0]!, 'weights.bin')));
});
