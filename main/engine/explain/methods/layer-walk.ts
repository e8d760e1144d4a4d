// Runs a LayersModel layer by layer on concrete tensors, so that a method can change what one layer computes: add a
// zero "probe" to a layer's pre-activation output to get the gradient there (FullGrad), or replace a nonlinearity
// by its DeepLIFT multiplier (LIFT-CAM). run-from.ts runs the graph as a whole and cannot do either. Relies on
// tfjs-layers 4.22 layer objects (pinned): `activation` on Dense/Conv/Activation layers, BatchNormalization weights.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { LayersModel, SymbolicTensor } from '../../model/run-from';

export type Layer = LayersModel['layers'][number];

export interface LayerStep {
  layer: Layer;
  inputs: SymbolicTensor[];
  output: SymbolicTensor;
}

/** The model's layers in topological order, each with its one call's input and output tensors. */
export function layerSteps(model: LayersModel): LayerStep[] {
  const steps: LayerStep[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const nodes = layer.inboundNodes;
    if (nodes.length !== 1 || nodes[0].outputTensors.length !== 1) {
      throw new UserError(`Layer "${layer.name}" is called ${nodes.length} times or has several outputs; this method walks models whose layers are each called once.`);
    }
    steps.push({ layer, inputs: nodes[0].inputTensors, output: nodes[0].outputTensors[0] });
  }
  return steps;
}

/**
 * Evaluates the steps reachable from `feeds` (symbolic tensor id -> value) and returns the value of `fetch`.
 * `hook` may compute a step itself (return a tensor) or leave it to the layer (return null).
 */
export function runSteps(steps: LayerStep[], feeds: Map<number, tf.Tensor>, fetch: SymbolicTensor,
  hook?: (step: LayerStep, inputs: tf.Tensor[]) => tf.Tensor | null): tf.Tensor {
  const values = new Map(feeds);
  for (const step of steps) {
    if (values.has(step.output.id)) continue;
    const inputs = step.inputs.map((s) => values.get(s.id));
    if (inputs.some((t) => t === undefined)) continue;
    const ins = inputs as tf.Tensor[];
    const out = hook?.(step, ins) ?? (step.layer.apply(ins.length === 1 ? ins[0] : ins) as tf.Tensor);
    values.set(step.output.id, out);
  }
  const out = values.get(fetch.id);
  if (!out) throw new Error(`runSteps: ${fetch.name} is not reachable from the feeds`);
  return out;
}

interface Activation {
  getClassName(): string;
  apply(x: tf.Tensor): tf.Tensor;
}

const LINEAR: Activation = { getClassName: () => 'linear', apply: (x) => x };

/** The activation fused into a Dense/Conv/Activation layer, or null when it has none (or a linear one). */
export function fusedActivation(layer: Layer): Activation | null {
  const a = (layer as unknown as { activation?: Activation | null }).activation;
  return a && a.getClassName() !== 'linear' ? a : null;
}

/** The layer's output before its fused activation (for an Activation layer: its input). */
export function preActivation(layer: Layer, inputs: tf.Tensor[]): tf.Tensor {
  const l = layer as unknown as { activation: Activation | null };
  const saved = l.activation;
  l.activation = LINEAR;
  try {
    return layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
  } finally {
    l.activation = saved;
  }
}

/** Layers that are elementwise nonlinearities as a whole (the advanced activations). */
export const ELEMENTWISE_LAYERS = new Set(['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'PReLU']);

/** Layers that are affine maps of their input(s) at inference. */
export const AFFINE_LAYERS = new Set(['Flatten', 'Reshape', 'Permute', 'GlobalAveragePooling2D', 'GlobalAveragePooling1D',
  'AveragePooling2D', 'AveragePooling1D', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianDropout', 'AlphaDropout',
  'GaussianNoise', 'BatchNormalization', 'ZeroPadding2D', 'Cropping2D', 'Add', 'Average', 'Subtract', 'Concatenate',
  'Dense', 'Conv2D', 'Conv1D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Activation']);

interface BatchNormLayer {
  axis: number;
  epsilon: number;
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor };
  movingVariance: { read(): tf.Tensor };
}

/**
 * The additive bias of a layer's (pre-activation) output per channel, or null if it has none: a convolution's or
 * dense layer's bias vector, or batch normalization's folded bias beta - mean * gamma / sqrt(var + eps).
 */
export function layerBias(layer: Layer): tf.Tensor1D | null {
  const cls = layer.getClassName();
  if (cls === 'BatchNormalization') {
    const bn = layer as unknown as BatchNormLayer;
    const rank = layer.inboundNodes[0].outputTensors[0].shape.length;
    if (bn.axis !== -1 && bn.axis !== rank - 1) {
      throw new UserError(`Batch normalization "${layer.name}" normalizes axis ${bn.axis}, not the channel axis; FullGrad supports channels-last models.`);
    }
    return tf.tidy(() => {
      const inv = tf.rsqrt(tf.add(bn.movingVariance.read(), bn.epsilon));
      const scale = bn.gamma ? tf.mul(bn.gamma.read(), inv) : inv;
      const shift = tf.neg(tf.mul(bn.movingMean.read(), scale));
      return (bn.beta ? tf.add(bn.beta.read(), shift) : shift) as tf.Tensor1D;
    });
  }
  const bias = (layer as unknown as { bias?: { read(): tf.Tensor } | null; useBias?: boolean }).bias;
  if (!bias || !AFFINE_LAYERS.has(cls)) return null;
  return bias.read() as tf.Tensor1D;
}
