// What every metric needs to know about one image, computed once and shared by all metrics and all maps: the [0, 1]
// image as a tensor, the clean prediction (top-1 and the target class's softmax probability), the ground-truth mask,
// and a per-image seed for metrics with randomness (the same for every method, so methods see the same draws).
// Owns its tensor: call dispose() when the image is done.
import { tf } from '../tf';
import type { VisionModel } from '../model/vision-model';
import { mixSeed } from '../data/rng';
import { UserError } from '../errors';
import { classProbabilities, unitToInput } from './unit-input';

export interface ImageInput {
  vm: VisionModel;
  /** H x W x C in [0, 1] ("unit") space, channels last, at the model's input size. */
  unit: Float32Array;
  /** H x W, 1 = foreground, or null when the dataset has no mask for the image. */
  mask: Uint8Array | null;
  /** The image's position in the run, mixed into the seed. */
  index: number;
  seed: number;
  /** The class the maps explain; default the clean top-1. */
  targetClass?: number | null;
  /** Perturbed images per model call (speed only; results do not depend on it). Default 16. */
  batchSize?: number;
}

export class ImageState {
  readonly vm: VisionModel;
  readonly unit: Float32Array;
  readonly unitTensor: tf.Tensor4D;
  /** The image in the model's input space, [1, H, W, C]. */
  readonly inputTensor: tf.Tensor4D;
  /** A black pixel (0 in unit space) in the model's input space, [1, 1, 1, C]. */
  readonly blackInput: tf.Tensor4D;
  readonly mask: Uint8Array | null;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Top-1 class on the clean image. */
  readonly cleanClass: number;
  readonly targetClass: number;
  /** Softmax probability of the clean top-1 and of the target class on the clean image. */
  readonly cleanProbability: number;
  readonly targetProbability: number;
  /** Seed of this image's random draws (SIC/AIC's random pixels). */
  readonly seed: number;
  readonly batchSize: number;
  private readonly cache = new Map<string, unknown>();

  constructor(i: ImageInput) {
    const { height, width, channels } = i.vm.preprocessing;
    if (i.unit.length !== height * width * channels) throw new Error(`ImageState: expected ${height}x${width}x${channels} values, got ${i.unit.length}`);
    if (i.mask && i.mask.length !== height * width) throw new Error(`ImageState: mask has ${i.mask.length} pixels, the image ${height * width}`);
    this.vm = i.vm;
    this.unit = i.unit;
    this.mask = i.mask;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.seed = mixSeed(i.seed, i.index);
    this.batchSize = i.batchSize ?? 16;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new UserError(`Metric batch size must be a positive integer (got ${i.batchSize}).`, 'Give e.g. 16.');
    this.unitTensor = tf.tensor4d(i.unit, [1, height, width, channels]);
    this.inputTensor = unitToInput(this.unitTensor, i.vm.preprocessing);
    this.blackInput = tf.tidy(() => unitToInput(tf.zeros([1, 1, 1, channels]), i.vm.preprocessing));
    const probs = classProbabilities(i.vm, this.inputTensor);
    // The first of equal maxima, as tf.argMax.
    const top = probs.indexOf(Math.max(...probs));
    this.cleanClass = top;
    this.targetClass = i.targetClass ?? top;
    if (!(this.targetClass >= 0 && this.targetClass < probs.length)) throw new Error(`ImageState: target class ${this.targetClass} is out of range`);
    this.cleanProbability = probs[top];
    this.targetProbability = probs[this.targetClass];
  }

  get pixels(): number {
    return this.height * this.width;
  }

  /** Computes a per-image value once (e.g. the SIC/AIC start image) and shares it between metrics and maps. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }

  dispose(): void {
    tf.dispose([this.unitTensor, this.inputTensor, this.blackInput]);
  }
}
