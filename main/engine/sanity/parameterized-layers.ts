// The layers a randomization test re-initializes (SPEC Sec. 5): every layer that holds weights (convolutions,
// dense, depthwise/separable convolutions, ...), plus normalization layers when asked, ordered from the output
// down (the reverse of the model's topological layer order, as Quantus's order="top_down"). Each layer is one
// step: a convolution and the batch norm after it are two, so that the step labels are exactly the layer names.
import type { LayersModel } from '../model/run-from';

export type Layer = LayersModel['layers'][number];
export type LayerWeight = Layer['weights'][number];

const NORMALIZATION = new Set(['BatchNormalization', 'LayerNormalization']);
/** Normalization weights that are statistics of the training data, not learned parameters. */
const MOVING_STATS = new Set(['moving_mean', 'moving_variance']);

export interface ParameterizedLayer {
  name: string;
  className: string;
  isNormalization: boolean;
  layer: Layer;
}

export interface LayerSelection {
  /** Also re-initialize batch/layer normalization layers (default false: convolutions and dense only). */
  includeBatchNorm?: boolean;
  /**
   * For normalization layers: 'keep' the moving mean and variance (Adebayo et al.'s code: they are not trainable
   * variables and were not reset), or 'reset' them to their initializers (zeros and ones). Default 'keep'.
   */
  batchNormStats?: 'keep' | 'reset';
}

/** The last path component of a weight's name: 'block1_conv1/kernel' -> 'kernel'. */
export function weightRole(w: LayerWeight): string {
  const name = w.originalName;
  return name.slice(name.lastIndexOf('/') + 1);
}

export function listParameterizedLayers(model: LayersModel, o: LayerSelection = {}): ParameterizedLayer[] {
  return model.layers
    .filter((l) => l.weights.length > 0)
    .map((layer) => ({ name: layer.name, className: layer.getClassName(), isNormalization: NORMALIZATION.has(layer.getClassName()), layer }))
    .filter((p) => !p.isNormalization || o.includeBatchNorm === true)
    .reverse();
}

/** The weights of a layer that a re-initialization replaces (moving statistics only with batchNormStats 'reset'). */
export function weightsToReinitialize(p: ParameterizedLayer, o: LayerSelection = {}): LayerWeight[] {
  const resetStats = (o.batchNormStats ?? 'keep') === 'reset';
  return p.layer.weights.filter((w) => !(p.isNormalization && MOVING_STATS.has(weightRole(w)) && !resetStats));
}
