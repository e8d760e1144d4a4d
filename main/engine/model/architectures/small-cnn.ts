// A small VGG-like CNN for 28x28 and 32x32 inputs: three conv blocks, each ending in a max-pool (the block outputs
// that DIX cuts at), then two dense layers. Trains in seconds on the synthetic set and Fashion-MNIST.
import { tfl } from '../../tf';
import { type ArchOptions, conv3x3, glorotUniform, heNormal, scaled, type SymbolicTensor } from './layers-util';

export function buildSmallCnn(opts: ArchOptions): InstanceType<typeof tfl.LayersModel> {
  const { inputShape, numClasses, width = 1, seed } = opts;
  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x: SymbolicTensor = input;
  let salt = 0;
  const blocks = [32, 64, 128];
  blocks.forEach((channels, b) => {
    const c = scaled(channels, width);
    x = conv3x3(x, c, `block${b + 1}_conv1`, seed, ++salt);
    x = conv3x3(x, c, `block${b + 1}_conv2`, seed, ++salt);
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as SymbolicTensor;
  });
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  x = tfl.layers.dense({ units: scaled(128, width), activation: 'relu', kernelInitializer: heNormal(seed, ++salt), name: 'fc1' })
    .apply(x) as SymbolicTensor;
  const logits = tfl.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(seed, ++salt), name: 'logits' })
    .apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'small_cnn' });
}
