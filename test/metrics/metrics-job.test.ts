// A metrics job end to end through the service, a real worker process and the store: every (image, method, metric)
// stored as one score row with the metric's protocol card as provenance and its curve or counts as detail; a second
// job reuses the maps and says so; and the table rebuilt from the stored scores equals runMetrics' table for the same
// spec and seed (the engine run in this process, on the same backend).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsItemOutput } from '../../shared/job-outputs';
import type { MetricsJobSummary } from '../../shared/metrics-summary';
import { initBackend } from '../../main/engine/backend/select-backend';
import { runMetrics } from '../../main/engine/runs/metrics-run';
import { openService, ServiceError, type WorkbenchService } from '../../main/service/index';
import { listItems } from '../../main/store/items-repo';
import { listScores } from '../../main/store/scores-repo';
import { decodeMap, encodeMap } from '../../main/store/map-codec';
import { metricsSummary } from '../../main/jobs/metrics-results';
import { metricsSummaryCounts } from '../../main/jobs/metrics-summary-thread';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;
let service: WorkbenchService;

const METHODS = ['gradcam', 'ig'];
const SPEC = { kind: 'metrics', methods: METHODS, metrics: ['neg', 'ins', 'adp', 'sic', 'seg'], limit: 4, seed: 3, steps: 4, resamples: 200,
  minProbability: 0, backend: 'wasm' } as const;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-metrics-job-'));
  data = makeDataset(dir, 'data', 12);
  model = await makeModel(dir);
  service = openService({ dbPath: join(dir, 'w.db') });
});
after(async () => {
  await service.close();
  cleanup();
});

async function run(spec: Record<string, unknown>): Promise<MetricsJobSummary> {
  const { job } = await service.jobs.submit({ spec: { ...spec, model, dataset: data } });
  const runner = service.runJobs({ onlyJobIds: [job.id], pollMs: 50 });
  try {
    const done = await runner.waitForJob(job.id);
    assert.equal(done.state, 'done', done.error ?? '');
  } finally {
    await runner.stop();
  }
  return (await service.results.summary(job.id)) as MetricsJobSummary;
}

test('a metrics job stores scores with protocol cards, a second job reuses the maps, and the stored table equals runMetrics\'', async () => {
  const first = await run(SPEC);
  assert.equal(first.kind, 'metrics');
  assert.equal(first.images, 4);
  assert.equal(first.mapsComputed, 8);
  assert.equal(first.mapsReused, 0);
  assert.deepEqual(first.table.map((r) => r.metric.id), ['neg', 'ins', 'adp', 'sic', 'pa', 'miou', 'map', 'mf1'], 'groups expand in order');
  // A finished job's table is computed once (its intervals take seconds on large jobs), then served from memory; it is
  // computed on a worker thread (the app's main process stays free) and equals the computation on this thread.
  assert.equal(await service.results.summary(first.jobId), first, 'the finished summary is reused');
  assert.ok(metricsSummaryCounts().worker >= 1, 'the summary was computed on the worker thread');
  const firstJob = await service.jobs.get(first.jobId);
  assert.deepEqual(first, await metricsSummary(firstJob, listItems(service.store, first.jobId), listScores(service.store, { jobId: first.jobId })));
  const job = await service.jobs.get(first.jobId);
  assert.deepEqual((job.spec as { metrics: string[] }).metrics, ['neg', 'ins', 'adp', 'sic', 'pa', 'miou', 'map', 'mf1'], 'the stored spec names every metric');

  const scores = listScores(service.store, { jobId: first.jobId });
  assert.equal(scores.length, 4 * METHODS.length * 8);
  const sic = scores.find((s) => s.metric === 'sic' && s.method === 'ig')!;
  assert.equal(sic.provenance.id, 'sic');
  assert.equal(sic.provenance.version, 1);
  assert.equal(sic.provenance.params.minProbability, 0, 'the protocol card holds every parameter, options included');
  assert.equal(sic.provenance.params.webpQuality, 100);
  assert.equal((sic.provenance.params.thresholds as number[]).length, 13);
  assert.equal(sic.provenance.seed, 3);
  assert.ok(sic.provenance.modelHash.length > 10 && sic.provenance.datasetHash);
  assert.deepEqual(sic.provenance.cutPoints, ['input'], "IG's map is taken at the input");
  const sicDetail = sic.detail as { curve?: unknown; skipped?: string };
  assert.ok(sicDetail.curve || /start image|below/.test(sicDetail.skipped ?? ''), 'a SIC score keeps its curve, or why the image was skipped');
  const neg = scores.find((s) => s.metric === 'neg' && s.method === 'ig')!;
  const detail = neg.detail as { curve: { x: number[]; y: number[] }; map: { key: string; method: string } };
  assert.equal(detail.curve.x.length, 10);
  assert.equal(detail.curve.y.length, 10);
  assert.equal(detail.map.method, 'ig');
  assert.match(detail.map.key, /^[0-9a-f]{64}$/);
  const pa = scores.find((s) => s.metric === 'pa')!;
  assert.ok(typeof (pa.detail as { counts: Record<string, number> }).counts.tp === 'number');

  // The engine's own run on the same images, spec and seed, in this process.
  const backend = await initBackend('wasm');
  const direct = await runMetrics({ model, data, methods: METHODS, metrics: ['neg', 'ins', 'adp', 'sic', 'seg'], limit: 4, seed: 3, backend,
    methodOptions: { steps: 4 }, metricOptions: { minProbability: 0 }, resamples: 200,
    // A job scores each map as the store keeps it (so that reusing it later scores the same).
    asStored: (map, height, width) => decodeMap(encodeMap(map, height, width)).values });
  assert.deepEqual(JSON.parse(JSON.stringify(first.table.map(({ second: _s, ...row }) => row))), JSON.parse(JSON.stringify(direct.table)) as unknown,
    'the table rebuilt from stored scores equals runMetrics\' table');
  for (const row of first.table) {
    const finite = row.cells.filter((c) => Number.isFinite(c.value));
    if (finite.length === 2) assert.equal(row.second, finite.find((c) => c.method !== row.best)!.method);
  }

  // Without SIC/AIC, their option would be refused as read by no chosen metric.
  const { minProbability: _sicOnly, ...withoutSicOptions } = SPEC;
  const second = await run({ ...withoutSicOptions, metrics: ['ins', 'del'] });
  assert.equal(second.mapsComputed, 0);
  // Reused maps score exactly what the computed ones did, image by image.
  const insByImage = (jobId: number) => {
    const ordinal = new Map(listItems(service.store, jobId).map((i) => [i.id, i.ordinal]));
    return listScores(service.store, { jobId }).filter((s) => s.metric === 'ins').map((s) => `${ordinal.get(s.itemId)} ${s.method} ${s.value}`).sort();
  };
  const ins1 = insByImage(first.jobId);
  const ins2 = insByImage(second.jobId);
  assert.equal(ins1.length, 4 * METHODS.length);
  assert.deepEqual(ins2, ins1, 'INS per image and method: the same with reused maps');
  assert.equal(second.mapsReused, 8, 'the second job reuses every map');
  const outputs = listItems(service.store, second.jobId).map((i) => i.output as MetricsItemOutput);
  for (const o of outputs) if (o.kind === 'image') for (const v of o.variants) assert.equal(v.reused, true);
  const events = (await service.jobs.show(second.jobId)).summary as MetricsJobSummary;
  assert.equal(events.mapsReused, 8);
});

test('metrics specs are refused early: unknown metrics, segmentation without masks, configurations of unlisted methods', async () => {
  await assert.rejects(service.jobs.submit({ spec: { ...SPEC, model, dataset: data, metrics: ['ins', 'bogus'] } }),
    (e: unknown) => e instanceof ServiceError && /Unknown metric "bogus"/.test(e.message));
  await assert.rejects(service.jobs.submit({ spec: { ...SPEC, model, dataset: data, variants: [{ name: 'a', method: 'dix3' }] } }),
    (e: unknown) => e instanceof ServiceError && /dix3, which the spec's methods do not list/.test(e.message));
  await assert.rejects(service.jobs.submit({ spec: { ...SPEC, model, dataset: data, variants: [{ name: 'a', method: 'ig' }, { name: 'a', method: 'ig', steps: 2 }] } }),
    (e: unknown) => e instanceof ServiceError && /Two configurations are named "a"/.test(e.message));
  const bare = join(dir, 'bare');
  cpSync(data, bare, { recursive: true });
  rmSync(join(bare, 'masks'), { recursive: true, force: true });
  await assert.rejects(service.jobs.submit({ spec: { ...SPEC, model, dataset: bare } }),
    (e: unknown) => e instanceof ServiceError && /segmentation metrics \(pa, miou, map, mf1\) need ground-truth masks/.test(e.message));
});
