// The modules of a LayersModel that a randomization test re-initializes (docs/methods.md §5.1): every layer that holds weights
// (convolutions, dense, depthwise/separable convolutions, normalization), in topological order. Each layer is one
// module: a convolution and the batch norm after it are two, so that the step labels are exactly the layer names.
// A weight is a tf.Variable: write() is Variable.assign, which shares the tensor's data (reference counted).
import { tf } from '../../tf';
import type { ModelWeight, ParameterizedModule } from '../vision-model';
import { freshWeightValues, weightRole } from './reinitialize';
import type { LayersModel, LayerWeight, Layer } from './run-from';

const NORMALIZATION = new Set(['BatchNormalization', 'LayerNormalization']);
/** Normalization weights that are statistics of the training data, not learned parameters. */
const MOVING_STATS = new Set(['moving_mean', 'moving_variance']);

function layerWeight(layer: Layer, w: LayerWeight): ModelWeight {
  const role = weightRole(w);
  return {
    role,
    isStatistic: NORMALIZATION.has(layer.getClassName()) && MOVING_STATS.has(role),
    read: () => w.read(),
    write: (value) => void (w.read() as tf.Variable).assign(value),
    fresh: (seed) => freshWeightValues(layer, w, seed),
  };
}

export function layersParameterizedModules(model: LayersModel): ParameterizedModule[] {
  return model.layers
    .filter((l) => l.weights.length > 0)
    .map((layer) => ({ name: layer.name, className: layer.getClassName(), isNormalization: NORMALIZATION.has(layer.getClassName()),
      weights: layer.weights.map((w) => layerWeight(layer, w)) }));
}
