// Images in [0, 1] ("unit") space, where metrics black out and mask pixels, through the model's own preprocessing
// ((u - mean[c]) / std[c], as image-to-input.ts) and the model, in batches: softmax probability of one class and top-1.
import { tf } from '../tf';
import type { Preprocessing } from '../../../shared/preprocessing';
import type { VisionModel } from '../model/vision-model';
import { inputCutPoint } from '../model/cut-points';
import { webGpuBatchCap } from '../backend/webgpu-memory';

/** A per-channel preprocessing value list (one value means every channel) as C values. */
function perChannel(v: number[], c: number): number[] {
  return v.length === 1 ? Array<number>(c).fill(v[0]) : v;
}

/** (u - mean[c]) / std[c] for a [B, H, W, C] unit batch. */
export function unitToInput(u: tf.Tensor4D, prep: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const c = prep.channels;
    const column = (v: number[]) => tf.reshape(tf.tensor1d(perChannel(v, c)), [1, 1, 1, c]);
    return tf.div(tf.sub(u, column(prep.mean)), column(prep.std)) as tf.Tensor4D;
  });
}

export interface Predictions {
  /** Softmax probability of the asked class, per image. */
  prob: Float32Array;
  /** Top-1 class, per image. */
  top1: Int32Array;
}

/**
 * Runs n model inputs through the model `batchSize` at a time; one read back at the end. `inputs(start, count)` makes
 * that slice of the inputs, in the model's input space (it runs inside a tidy: its temporaries are freed).
 */
export function predictBatches(vm: VisionModel, n: number, inputs: (start: number, count: number) => tf.Tensor4D, cls: number, batchSize: number): Predictions {
  const parts: tf.Tensor[] = [];
  // On webgpu, no more images at once than one buffer binding holds (the predictions do not depend on the batch).
  const step = Math.min(batchSize, webGpuBatchCap(vm.tailActivationBytes(inputCutPoint(vm.cuts))));
  for (let s = 0; s < n; s += step) {
    const m = Math.min(step, n - s);
    parts.push(tf.tidy(() => {
      const logits = vm.predict(inputs(s, m));
      const prob = tf.reshape(tf.slice(tf.softmax(logits), [0, cls], [m, 1]), [m]);
      return tf.stack([prob, tf.cast(tf.argMax(logits, 1), 'float32')], 1);
    }));
  }
  const all = tf.concat(parts);
  const data = all.dataSync();
  tf.dispose([all, ...parts]);
  const prob = new Float32Array(n);
  const top1 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prob[i] = data[2 * i];
    top1[i] = data[2 * i + 1];
  }
  return { prob, top1 };
}

/** Runs a [B, H, W, C] unit batch through the model's preprocessing and the model, `batchSize` images at a time. */
export function predictUnits(vm: VisionModel, units: tf.Tensor4D, cls: number, batchSize: number): Predictions {
  return predictBatches(vm, units.shape[0], (s, m) => unitToInput(tf.slice(units, [s, 0, 0, 0], [m, -1, -1, -1]), vm.preprocessing), cls, batchSize);
}

/** uint8 images (H x W x C each, values 0..scale) straight to the model's input space: ((b / scale) - mean[c]) / std[c]. */
export function bytesToInput(images: Uint8Array[], prep: Preprocessing): Float32Array {
  const { height: h, width: w, channels: c, scale } = prep;
  const mean = perChannel(prep.mean, c);
  const std = perChannel(prep.std, c);
  const out = new Float32Array(images.length * h * w * c);
  // Float32 at each step, as the tensor ops (div, sub, div) compute it.
  const f = Math.fround;
  const lut = Array.from({ length: c }, (_, k) => Float32Array.from({ length: 256 }, (_, b) => f(f(f(b / scale) - f(mean[k])) / f(std[k]))));
  images.forEach((img, i) => {
    const base = i * h * w * c;
    for (let j = 0; j < h * w * c; j++) out[base + j] = lut[j % c][img[j]];
  });
  return out;
}

/** Softmax probabilities of every class for a single [1, H, W, C] image already in the model's input space. */
export function classProbabilities(vm: VisionModel, input: tf.Tensor4D): Float32Array {
  const p = tf.tidy(() => tf.softmax(vm.predict(input)));
  const out = p.dataSync() as Float32Array;
  p.dispose();
  return out;
}
