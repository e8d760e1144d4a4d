// Small builders shared by the built-in architectures. Every layer is named, because cut points, sanity-test
// randomization and exported maps all refer to layers by name.
import { tfl } from '../../tf';

export type SymbolicTensor = ReturnType<typeof tfl.input>;

export interface ArchOptions {
  /** [height, width, channels] */
  inputShape: [number, number, number];
  numClasses: number;
  /** Multiplies every layer's channel count (and dense width); 1 = the published architecture. */
  width?: number;
  /** Batch normalization after each convolution (VGG only; ResNet always has it). */
  batchNorm?: boolean;
  /** Seed for the weight initializers, so that a built model is reproducible. */
  seed?: number;
}

export function scaled(channels: number, width = 1): number {
  return Math.max(1, Math.round(channels * width));
}

/** He-normal initializer (what VGG and ResNet use for ReLU networks), seeded per layer so models are reproducible. */
export function heNormal(seed: number | undefined, salt: number) {
  return tfl.initializers.heNormal({ seed: seed === undefined ? undefined : seed * 1000 + salt });
}

export function glorotUniform(seed: number | undefined, salt: number) {
  return tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed * 1000 + salt });
}

export class LayerCounter {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

export function conv3x3(x: SymbolicTensor, filters: number, name: string, seed: number | undefined, salt: number,
  opts: { strides?: number; activation?: 'relu' | 'linear'; kernelSize?: number; useBias?: boolean } = {}): SymbolicTensor {
  return tfl.layers.conv2d({
    filters, kernelSize: opts.kernelSize ?? 3, strides: opts.strides ?? 1, padding: 'same',
    activation: opts.activation ?? 'relu', useBias: opts.useBias ?? true,
    kernelInitializer: heNormal(seed, salt), name,
  }).apply(x) as SymbolicTensor;
}
