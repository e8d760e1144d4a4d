// Trains a built-in ViT with the same seeded, explicit loop as train/train-model.ts does for LayersModels (Adam on the
// softmax cross-entropy of the logits, seeded split and shuffles), over the model's own variables only.
import { tf } from '../../tf';
import { mulberry32 } from '../../data/rng';
import { shuffledIndices } from '../../train/permute-labels';
import type { EpochLog, TrainOptions, TrainProgress } from '../../train/train-model';
import { UserError } from '../../errors';
import type { Preprocessing } from '../../../../shared/preprocessing';
import { vitTinyConfig } from './vit-config';
import { saveVit } from './vit-io';
import { ViTVisionModel } from './vit-vision-model';

export interface VitTrainingData {
  x: Float32Array;
  labels: Int32Array;
  count: number;
  shape: [number, number, number];
  numClasses: number;
}

function batchInput(d: VitTrainingData, idx: Int32Array): tf.Tensor4D {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const xb = new Float32Array(idx.length * size);
  idx.forEach((j, i) => xb.set(d.x.subarray(j * size, (j + 1) * size), i * size));
  return tf.tensor4d(xb, [idx.length, ...d.shape]);
}

/** Accuracy over a subset of the data, in batches. */
export function vitAccuracy(vm: ViTVisionModel, d: VitTrainingData, idx: Int32Array, batchSize = 256): number {
  if (idx.length === 0) return NaN;
  let correct = 0;
  for (let s = 0; s < idx.length; s += batchSize) {
    const part = idx.subarray(s, s + batchSize);
    const xs = batchInput(d, part);
    const top = tf.tidy(() => tf.argMax(vm.predict(xs), 1));
    const p = top.dataSync();
    top.dispose();
    xs.dispose();
    part.forEach((j, i) => { if (p[i] === d.labels[j]) correct++; });
  }
  return correct / idx.length;
}

/** Linear warmup over the first epoch (ViTs train poorly from a full learning rate at step 0; Dosovitskiy et al.). */
export function warmupFactor(step: number, warmupSteps: number): number {
  return Math.min(1, (step + 1) / Math.max(1, warmupSteps));
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // Adam reads its learning rate at every step; tfjs has no public setter for it.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

export async function trainVit(vm: ViTVisionModel, data: VitTrainingData, opts: TrainOptions, onProgress?: (p: TrainProgress) => void): Promise<EpochLog[]> {
  // The same seeded split as train-model.ts, so that a ViT and a CNN trained with one seed see the same images.
  const all = shuffledIndices(data.count, mulberry32(opts.seed ^ 0x5eed));
  const nVal = Math.floor(data.count * opts.valSplit);
  const val = all.subarray(0, nVal);
  const train = all.subarray(nVal);
  const optimizer = tf.train.adam(opts.learningRate);
  const rand = mulberry32(opts.seed);
  const batches = Math.ceil(train.length / opts.batchSize);
  const logs: EpochLog[] = [];
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const t0 = performance.now();
      const order = shuffledIndices(train.length, rand).map((i) => train[i]);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * opts.batchSize, (b + 1) * opts.batchSize);
        const xs = batchInput(data, idx);
        const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(idx.map((j) => data.labels[j]), 'int32'), data.numClasses));
        setLearningRate(optimizer, opts.learningRate * warmupFactor((epoch - 1) * batches + b, batches));
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, vm.forward(xs).logits) as tf.Scalar, true, vm.variables)!;
        const l = loss.dataSync()[0];
        loss.dispose();
        xs.dispose();
        ys.dispose();
        lossSum += l * idx.length;
        onProgress?.({ epoch, epochs: opts.epochs, batch: b + 1, batches, loss: l });
        // Yield so that a progress bar repaints and a parent process's messages are handled.
        if (b % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      const log: EpochLog = {
        epoch,
        loss: lossSum / train.length,
        trainAccuracy: vitAccuracy(vm, data, train),
        valAccuracy: val.length ? vitAccuracy(vm, data, val) : null,
        seconds: (performance.now() - t0) / 1000,
      };
      logs.push(log);
      if (opts.stopAtAccuracy !== undefined && log.trainAccuracy >= opts.stopAtAccuracy) break;
    }
  } finally {
    optimizer.dispose();
  }
  return logs;
}

/** `dixw train --arch vit-tiny`: builds the ViT (seeded), trains it and writes its folder with preprocessing.json. */
export async function trainVitFolder(
  o: { inputShape: [number, number, number]; numClasses: number; width?: number; batchNorm?: boolean; seed: number; out: string; preprocessing: Preprocessing },
  data: VitTrainingData, opts: TrainOptions, onProgress?: (p: TrainProgress) => void,
): Promise<EpochLog[]> {
  if (o.batchNorm) throw new UserError('--batch-norm applies to VGG; a ViT has layer norms already.', 'Leave --batch-norm out for vit-tiny.');
  const vm = new ViTVisionModel(vitTinyConfig(o.inputShape, o.numClasses, o.width ?? 1), o.preprocessing, { seed: o.seed });
  try {
    const epochs = await trainVit(vm, data, opts, onProgress);
    saveVit(vm, o.out, o.preprocessing);
    return epochs;
  } finally {
    vm.dispose();
  }
}
