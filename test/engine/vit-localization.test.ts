// DIX3 on a trained tiny ViT localizes the object: on synthetic images with ground-truth masks (docs/methods.md §4's
// segmentation protocol: foreground = map > its mean, PA and mIoU from counts summed over the images) its maps score
// higher than a random map, its mIoU is well above that of maps that need no model (all background; a centre prior),
// and it is level with Attention Rollout or better. The model is committed (test/fixtures/vit/trained: a vit-tiny
// at width 0.5 trained with `dixw train`, see its training-log.json); the images are generated here with a seed the
// model never saw. docs/vit/localization.md has the full study (200 + 200 images, every ViT method, paired tests).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { generateSynthDataset } from '../../main/engine/data/synth';
import { indexDatasetFolder } from '../../main/engine/data/dataset-folder';
import { loadImageInput, loadMask } from '../../main/engine/data/dataset-load';
import { loadVisionModel } from '../../main/engine/model/load-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { segmentationCounts } from '../../main/engine/metrics/segmentation-counts';
import { iou } from '../../main/engine/metrics/segmentation-metric';
import { uniform } from './helpers';

before(async () => {
  await initBackend('wasm');
});

type Counts = { tp: number; fp: number; fn: number; tn: number };
const pa = (c: Counts) => (100 * (c.tp + c.tn)) / (c.tp + c.fp + c.fn + c.tn);
const miou = (c: Counts) => 50 * (iou(c).fg + iou(c).bg);

describe('DIX3 localization on a trained tiny ViT', () => {
  test('beats a random map, and maps that need no model in mIoU, and does not fall behind Attention Rollout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dixw-vit-seg-'));
    try {
      generateSynthDataset({ out: dir, n: 24, size: 32, classes: 4, seed: 99 });
      const index = indexDatasetFolder(dir);
      const vm = await loadVisionModel('test/fixtures/vit/trained');
      const plan = planMethods(vm, ['dix3', 'rollout'], {});
      const totals: Record<string, Counts> = Object.fromEntries(['dix3', 'rollout', 'random', 'constant', 'centre'].map((k) => [k, { tp: 0, fp: 0, fn: 0, tn: 0 }]));
      const add = (id: string, map: Float32Array, mask: Uint8Array) => {
        const c = segmentationCounts(map, mask);
        for (const k of ['tp', 'fp', 'fn', 'tn'] as const) totals[id][k] += c[k];
      };
      let correct = 0;
      index.entries.forEach((e, i) => {
        const { height: h, width: w } = vm.preprocessing;
        const x = tf.tensor4d(loadImageInput(e, vm.preprocessing), [1, h, w, vm.preprocessing.channels]);
        const mask = loadMask(e, h, w)!;
        const r = explainImage(vm, x, plan);
        if (r.predictedClass === e.label) correct++;
        for (const m of r.maps) add(m.methodId, m.map, mask);
        add('random', Float32Array.from(uniform(1000 + i, h * w, 0, 1)), mask);
        add('constant', new Float32Array(h * w), mask);
        add('centre', Float32Array.from({ length: h * w }, (_, k) => -Math.hypot((k % w) + 0.5 - w / 2, Math.floor(k / w) + 0.5 - h / 2)), mask);
        x.dispose();
      });
      vm.dispose();
      const report = Object.entries(totals).map(([k, c]) => `${k} PA ${pa(c).toFixed(1)} mIoU ${miou(c).toFixed(1)}`).join('; ');
      assert.ok(correct >= 18, `the model classifies ${correct}/24 test images correctly`);
      assert.ok(pa(totals.dix3) > pa(totals.random) + 10 && miou(totals.dix3) > miou(totals.random) + 10, `DIX3 vs random: ${report}`);
      // PA alone cannot show localization here: the object covers some 16% of the pixels, so the all-background map
      // scores PA 83.8 on these images, above every attention method (DIX3 81.7). mIoU can: DIX3 59.5, the all-background
      // map 41.9, a centre prior 49.7 (on 200 other images 59.0, 42.2, 48.5).
      assert.ok(miou(totals.dix3) > miou(totals.constant) + 10 && miou(totals.dix3) > miou(totals.centre) + 5, `DIX3 vs maps without a model: ${report}`);
      // Against rollout the two are level on this small model (measured here: DIX3 PA 81.7 / mIoU 59.5, rollout
      // 80.3 / 60.1; on 2 x 200 other images DIX3's PA is 1.3-1.9 points higher, significantly, because it calls fewer
      // pixels foreground, and its mIoU -0.4 to +0.4, not significantly different): DIX3 must not fall clearly behind
      // it. That DIX3 is better, as the paper reports on ViT-B, is not established at this scale (docs/vit/localization.md).
      assert.ok(pa(totals.dix3) > pa(totals.rollout) - 2 && miou(totals.dix3) > miou(totals.rollout) - 2, `DIX3 vs rollout: ${report}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
