// A ResNet-18-style network (He et al. 2016): four stages of two basic residual blocks. Stage outputs are the valid
// DIX cut points; the tensors inside a block are crossed by the skip connection and are not. Inputs of 64 px and more
// get the 7x7/2 stem with max-pool; smaller inputs a 3x3 stem (the CIFAR variant).
import { tfl } from '../../tf';
import { type ArchOptions, conv3x3, glorotUniform, scaled, type SymbolicTensor } from './layers-util';

function bn(x: SymbolicTensor, name: string): SymbolicTensor {
  return tfl.layers.batchNormalization({ name }).apply(x) as SymbolicTensor;
}
function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return tfl.layers.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;
}

export function buildResNet18(opts: ArchOptions): InstanceType<typeof tfl.LayersModel> {
  const { inputShape, numClasses, width = 1, seed } = opts;
  const input = tfl.input({ shape: inputShape, name: 'input' });
  let salt = 0;
  const big = Math.min(inputShape[0], inputShape[1]) >= 64;
  let x = conv3x3(input, scaled(64, width), 'stem_conv', seed, ++salt,
    { kernelSize: big ? 7 : 3, strides: big ? 2 : 1, activation: 'linear', useBias: false });
  x = relu(bn(x, 'stem_bn'), 'stem_relu');
  if (big) x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'stem_pool' }).apply(x) as SymbolicTensor;
  let channels = scaled(64, width);
  [64, 128, 256, 512].forEach((c, s) => {
    for (let b = 1; b <= 2; b++) {
      const name = `stage${s + 1}_block${b}`;
      const out = scaled(c, width);
      const stride = s > 0 && b === 1 ? 2 : 1;
      let y = conv3x3(x, out, `${name}_conv1`, seed, ++salt, { strides: stride, activation: 'linear', useBias: false });
      y = relu(bn(y, `${name}_bn1`), `${name}_relu1`);
      y = conv3x3(y, out, `${name}_conv2`, seed, ++salt, { activation: 'linear', useBias: false });
      y = bn(y, `${name}_bn2`);
      let shortcut = x;
      if (stride !== 1 || channels !== out) {
        shortcut = conv3x3(x, out, `${name}_proj`, seed, ++salt, { kernelSize: 1, strides: stride, activation: 'linear', useBias: false });
        shortcut = bn(shortcut, `${name}_proj_bn`);
      }
      const sum = tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as SymbolicTensor;
      x = relu(sum, b === 2 ? `stage${s + 1}_out` : `${name}_out`);
      channels = out;
    }
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as SymbolicTensor;
  const logits = tfl.layers.dense({ units: numClasses, kernelInitializer: glorotUniform(seed, ++salt), name: 'logits' })
    .apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'resnet18' });
}
