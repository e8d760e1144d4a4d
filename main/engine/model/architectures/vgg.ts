// VGG-11/16/19 (Simonyan & Zisserman, configurations A, D, E) at any input size and width. A block's pool is left
// out when the feature map is already 1 pixel, so small inputs (28x28, 32x32) still build; fully connected widths
// scale with `width` (4096 at width 1).
import { tfl } from '../../tf';
import { type ArchOptions, conv3x3, glorotUniform, heNormal, scaled, type SymbolicTensor } from './layers-util';

export const VGG_CONFIGS: Record<11 | 16 | 19, number[]> = {
  11: [1, 1, 2, 2, 2],
  16: [2, 2, 3, 3, 3],
  19: [2, 2, 4, 4, 4],
};
const VGG_CHANNELS = [64, 128, 256, 512, 512];

export function buildVgg(depth: 11 | 16 | 19, opts: ArchOptions): InstanceType<typeof tfl.LayersModel> {
  const { inputShape, numClasses, width = 1, batchNorm = false, seed } = opts;
  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x: SymbolicTensor = input;
  let size = Math.min(inputShape[0], inputShape[1]);
  let salt = 0;
  VGG_CONFIGS[depth].forEach((convs, b) => {
    const c = scaled(VGG_CHANNELS[b], width);
    for (let i = 1; i <= convs; i++) {
      const name = `block${b + 1}_conv${i}`;
      if (batchNorm) {
        x = conv3x3(x, c, name, seed, ++salt, { activation: 'linear', useBias: false });
        x = tfl.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as SymbolicTensor;
        x = tfl.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(x) as SymbolicTensor;
      } else {
        x = conv3x3(x, c, name, seed, ++salt);
      }
    }
    if (size >= 2) {
      x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as SymbolicTensor;
      size = Math.floor(size / 2);
    }
  });
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  const fc = scaled(4096, width);
  x = tfl.layers.dense({ units: fc, activation: 'relu', kernelInitializer: heNormal(seed, ++salt), name: 'fc1' }).apply(x) as SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.5, seed, name: 'fc1_dropout' }).apply(x) as SymbolicTensor;
  x = tfl.layers.dense({ units: fc, activation: 'relu', kernelInitializer: heNormal(seed, ++salt), name: 'fc2' }).apply(x) as SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.5, seed: seed === undefined ? undefined : seed + 1, name: 'fc2_dropout' }).apply(x) as SymbolicTensor;
  const logits = tfl.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(seed, ++salt), name: 'logits' })
    .apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: `vgg${depth}` });
}
