// `dixw demo`'s ViT section: the built-in tiny ViT trained on the demo's 64 pair-training images until it fits them
// (95% training accuracy, about 35 epochs), and the same test images as the CNN's explained with the ViT forms of DIX and
// the attention baselines. A ViT trained from scratch needs some 800 optimizer steps before it beats chance on the
// full synthetic training set (test/fixtures/vit/trained: 40 epochs of 8000 images), minutes on 2 cores; fitting 64
// images takes about 25 s, so the demo shows the pipeline on a model that has fitted a small set, not a good classifier.
import { join } from 'node:path';
import { APP_VERSION } from '../command';
import { ProgressBar } from '../progress';
import { runTrain, type TrainRunSummary } from '../../engine/runs/train-run';
import { runExplain } from '../../engine/runs/explain-run';
import { trainProgressNote } from '../../../shared/train-progress-note';
import type { BackendInfo } from '../../../shared/provenance';

export const VIT_DEMO_METHODS = ['dix3', 'dix2', 'rollout', 'gae', 'tattr', 'gradcam'];
/** The demo ViT's training: an epoch cap, stopped at 95% training accuracy; width, learning rate and batch size. */
export const VIT_DEMO_TRAINING = { epochs: 60, stopAtAccuracy: 0.95, width: 0.5, learningRate: 3e-3, batchSize: 16 };

export interface DemoVitInputs {
  out: string;
  train: string;
  test: string;
  perClass: number;
  limit: number;
  epochs?: number;
  backend: BackendInfo;
}

export async function runDemoVit(o: DemoVitInputs): Promise<{ training: TrainRunSummary; explain: Awaited<ReturnType<typeof runExplain>> }> {
  const bar = new ProgressBar('train vit', true, 'percent');
  const t = await runTrain({ data: o.train, arch: 'vit-tiny', epochs: o.epochs ?? VIT_DEMO_TRAINING.epochs, out: join(o.out, 'vit-model'), permuteLabels: false,
    seed: 1, width: VIT_DEMO_TRAINING.width, learningRate: VIT_DEMO_TRAINING.learningRate, stopAtAccuracy: VIT_DEMO_TRAINING.stopAtAccuracy, valSplit: 0, batchSize: VIT_DEMO_TRAINING.batchSize, backend: o.backend, appVersion: APP_VERSION },
  (p) => bar.update((p.epoch - 1) * p.batches + p.batch, p.epochs * p.batches, trainProgressNote(p)));
  const last = t.epochs[t.epochs.length - 1];
  bar.finish(`train acc ${(100 * last.trainAccuracy).toFixed(1)}%, val acc ${(100 * (last.valAccuracy ?? NaN)).toFixed(1)}%`);
  console.log(`5. ViT: vit-tiny (width ${VIT_DEMO_TRAINING.width}) fitted ${t.images} images in ${t.epochs.length} epochs -> ${t.out}`);
  const ebar = new ProgressBar('explain vit');
  const e = await runExplain({ model: t.out, data: o.test, methods: VIT_DEMO_METHODS, options: {}, perClass: o.perClass, limit: o.limit,
    npyDir: join(o.out, 'vit-maps'), pngDir: join(o.out, 'vit-overlays'), backend: o.backend }, (p) => ebar.update(p.done, p.total, p.image));
  ebar.finish(`${e.images.length} images x ${e.methods.length} methods`);
  const correct = e.images.filter((im) => im.predictedClass === im.label).length;
  console.log(`   maps: ${e.images.length} test images (${correct} classified correctly) x ${e.methods.length} methods`);
  for (const m of e.methods) console.log(`   ${m.id.padEnd(11)} ${e.medianMillis[m.id].toFixed(1).padStart(7)} ms/image (median)`);
  return { training: t, explain: e };
}
