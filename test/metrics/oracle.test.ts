// On the synthetic dataset, the ground-truth mask used as a map (an oracle) must beat a random map on every metric,
// with a model whose decision rests on the object's pixels (brightObjectModel, on synthetic images with a bright
// object on a darker image). A trained shape classifier is not used here on purpose: it recognizes a blacked-out
// object by its silhouette, so blackout metrics cannot reward the oracle with it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../main/engine/backend/select-backend';
import { ImageState } from '../../main/engine/metrics/image-state';
import { scoreMaps } from '../../main/engine/metrics/score-maps';
import { planMetrics } from '../../main/engine/metrics/registry';
import type { ImageScore } from '../../main/engine/metrics/metric';
import { mulberry32 } from '../../main/engine/data/rng';
import { wilcoxon } from '../../main/engine/stats/wilcoxon';
import { brightObjectModel, brightSamples } from './helpers';

before(async () => {
  await initBackend('wasm');
});

test('the oracle map beats a random map on NEG, POS, INS, DEL, ADP, PIC, SIC, AIC, PA, mIoU, mAP and mF1', async () => {
  const S = 32;
  const vm = brightObjectModel(S);
  const metrics = planMetrics(['all']);
  const samples = brightSamples(16, S, 3);
  const r = mulberry32(9);
  const scores: Record<'oracle' | 'random', Record<string, ImageScore[]>> = { oracle: {}, random: {} };
  for (const [i, s] of samples.entries()) {
    const image = new ImageState({ vm, unit: s.unit, mask: s.mask, index: i, seed: 1 });
    assert.equal(image.cleanClass, 1, 'the model sees the bright object');
    const maps = [{ method: 'oracle', map: Float32Array.from(s.mask) }, { method: 'random', map: Float32Array.from({ length: S * S }, () => r()) }];
    const res = await scoreMaps(image, maps, metrics);
    image.dispose();
    for (const m of ['oracle', 'random'] as const) for (const [id, v] of Object.entries(res[m])) (scores[m][id] ??= []).push(v);
  }
  for (const { metric, params } of metrics) {
    const o = metric.aggregate(scores.oracle[metric.id], params);
    const rnd = metric.aggregate(scores.random[metric.id], params);
    const better = metric.direction === 'higher' ? o.value > rnd.value : o.value < rnd.value;
    assert.ok(better, `${metric.id}: oracle ${o.value.toFixed(2)} vs random ${rnd.value.toFixed(2)} (${metric.direction} is better)`);
    assert.ok(o.images >= 4, `${metric.id}: only ${o.images} images scored`);
  }
  // The per-image values differ significantly where every image is scored (the paired test the tables use).
  for (const id of ['pos', 'del', 'adp', 'miou']) {
    const p = wilcoxon(scores.oracle[id].map((s) => s.value!), scores.random[id].map((s) => s.value!)).pValue;
    assert.ok(p < 0.01, `${id}: p = ${p}`);
  }
  vm.dispose();
});
