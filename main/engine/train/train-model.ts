// Trains a classifier with a seeded, explicit loop (Adam on softmax cross-entropy of the logits). model.fit is
// not used because its shuffling is unseeded; with seeded initializers and seeded shuffles, one seed gives one model
// on a given backend, which the sanity tests rely on.
import { tf } from '../tf';
import type { LayersModel } from '../model/layers/run-from';
import { mulberry32 } from '../data/rng';
import { shuffledIndices } from './permute-labels';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Fraction of the data held out to report validation accuracy (0 = none). */
  valSplit: number;
  /** Stop once training accuracy reaches this (e.g. 0.95 for the data randomization test). */
  stopAtAccuracy?: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  /** Accuracy on the training split in inference mode (dropout off), measured after the epoch. */
  trainAccuracy: number;
  valAccuracy: number | null;
  seconds: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  /** Training accuracy measured after the last finished epoch (null during the first; absent where not measured). */
  accuracy?: number | null;
}

interface Split {
  idx: Int32Array;
}

function gatherBatch(x: Float32Array, labels: Int32Array, idx: Int32Array, shape: number[], numClasses: number) {
  const size = shape[0] * shape[1] * shape[2];
  const xb = new Float32Array(idx.length * size);
  const yb = new Int32Array(idx.length);
  idx.forEach((j, i) => {
    xb.set(x.subarray(j * size, (j + 1) * size), i * size);
    yb[i] = labels[j];
  });
  return tf.tidy(() => ({
    xs: tf.tensor4d(xb, [idx.length, shape[0], shape[1], shape[2]]),
    ys: tf.oneHot(tf.tensor1d(yb, 'int32'), numClasses),
  }));
}

/** Accuracy in inference mode over a subset, in batches. */
export function accuracy(model: LayersModel, x: Float32Array, labels: Int32Array, idx: Int32Array, shape: number[], batchSize = 256): number {
  if (idx.length === 0) return NaN;
  let correct = 0;
  for (let s = 0; s < idx.length; s += batchSize) {
    const part = idx.subarray(s, s + batchSize);
    const { xs, ys } = gatherBatch(x, labels, part, shape, 2);
    ys.dispose();
    const pred = tf.tidy(() => tf.argMax(model.predict(xs) as tf.Tensor, 1));
    const p = pred.dataSync();
    pred.dispose();
    xs.dispose();
    part.forEach((j, i) => { if (p[i] === labels[j]) correct++; });
  }
  return correct / idx.length;
}

function splitIndices(n: number, valSplit: number, seed: number): { train: Split; val: Split } {
  const all = shuffledIndices(n, mulberry32(seed ^ 0x5eed));
  const nVal = Math.floor(n * valSplit);
  return { val: { idx: all.subarray(0, nVal) }, train: { idx: all.subarray(nVal) } };
}

export async function trainModel(
  model: LayersModel,
  data: { x: Float32Array; labels: Int32Array; count: number; shape: [number, number, number]; numClasses: number },
  opts: TrainOptions,
  onProgress?: (p: TrainProgress) => void,
): Promise<EpochLog[]> {
  const { train, val } = splitIndices(data.count, opts.valSplit, opts.seed);
  const optimizer = tf.train.adam(opts.learningRate);
  const rand = mulberry32(opts.seed);
  const logs: EpochLog[] = [];
  const batches = Math.ceil(train.idx.length / opts.batchSize);
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const t0 = performance.now();
      const order = shuffledIndices(train.idx.length, rand).map((i) => train.idx[i]);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * opts.batchSize, (b + 1) * opts.batchSize);
        const { xs, ys } = gatherBatch(data.x, data.labels, idx, data.shape, data.numClasses);
        const loss = optimizer.minimize(() => {
          const logits = model.apply(xs, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
        }, true)!;
        const l = loss.dataSync()[0];
        loss.dispose();
        xs.dispose();
        ys.dispose();
        lossSum += l * idx.length;
        onProgress?.({ epoch, epochs: opts.epochs, batch: b + 1, batches, loss: l, accuracy: logs.at(-1)?.trainAccuracy ?? null });
        // Yield so that a progress bar repaints and a parent process's messages are handled.
        if (b % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      const log: EpochLog = {
        epoch,
        loss: lossSum / train.idx.length,
        trainAccuracy: accuracy(model, data.x, data.labels, train.idx, data.shape),
        valAccuracy: val.idx.length ? accuracy(model, data.x, data.labels, val.idx, data.shape) : null,
        seconds: (performance.now() - t0) / 1000,
      };
      logs.push(log);
      // Once more at the epoch's end, so that a progress line shows the accuracy it reached.
      onProgress?.({ epoch, epochs: opts.epochs, batch: batches, batches, loss: log.loss, accuracy: log.trainAccuracy });
      if (opts.stopAtAccuracy !== undefined && log.trainAccuracy >= opts.stopAtAccuracy) break;
    }
  } finally {
    optimizer.dispose();
  }
  return logs;
}
