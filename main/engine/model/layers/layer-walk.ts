// A LayersModel as a ModelWalk: its layers in topological order, each a step that a method may compute itself (add a
// zero "probe" to a layer's pre-activation output for FullGrad, replace a nonlinearity by its DeepLIFT multiplier for
// LIFT-CAM). run-from.ts runs the graph as a whole and cannot do either. Relies on tfjs-layers 4.22 layer objects
// (pinned): `activation` on Dense/Conv/Activation layers, BatchNormalization weights.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import type { CutPoint, ModelWalk, WalkStep } from '../vision-model';
import type { Layer, LayersModel } from './run-from';

interface Activation {
  getClassName(): string;
  apply(x: tf.Tensor): tf.Tensor;
}

const LINEAR: Activation = { getClassName: () => 'linear', apply: (x) => x };

/** Layers that are elementwise nonlinearities as a whole (the advanced activations). */
const ELEMENTWISE_LAYERS = new Set(['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'PReLU']);

/** Layers that are affine maps of their input(s) at inference (before a fused activation). */
const AFFINE_LAYERS = new Set(['Flatten', 'Reshape', 'Permute', 'GlobalAveragePooling2D', 'GlobalAveragePooling1D',
  'AveragePooling2D', 'AveragePooling1D', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianDropout', 'AlphaDropout',
  'GaussianNoise', 'BatchNormalization', 'ZeroPadding2D', 'Cropping2D', 'Add', 'Average', 'Subtract', 'Concatenate',
  'Dense', 'Conv2D', 'Conv1D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Activation']);

const MAX_LAYERS = new Set(['MaxPooling2D', 'MaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling1D']);

/** The activation fused into a Dense/Conv/Activation layer, or null when it has none (or a linear one). */
function fusedActivation(layer: Layer): Activation | null {
  const a = (layer as unknown as { activation?: Activation | null }).activation;
  return a && a.getClassName() !== 'linear' ? a : null;
}

/** The layer's output before its fused activation (for an Activation layer: its input). */
function preActivation(layer: Layer, inputs: tf.Tensor[]): tf.Tensor {
  const l = layer as unknown as { activation: Activation | null };
  const saved = l.activation;
  l.activation = LINEAR;
  try {
    return layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
  } finally {
    l.activation = saved;
  }
}

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
function layerBias(layer: Layer): tf.Tensor1D | null {
  const cls = layer.getClassName();
  if (cls === 'BatchNormalization') {
    const bn = layer as unknown as BatchNormLayer;
    const rank = layer.inboundNodes[0].outputTensors[0].shape.length;
    if (bn.axis !== -1 && bn.axis !== rank - 1) {
      throw new UserError(`Batch normalization "${layer.name}" normalizes axis ${bn.axis}, not the channel axis; only channels-last models are supported.`);
    }
    return tf.tidy(() => {
      const inv = tf.rsqrt(tf.add(bn.movingVariance.read(), bn.epsilon));
      const scale = bn.gamma ? tf.mul(bn.gamma.read(), inv) : inv;
      const shift = tf.neg(tf.mul(bn.movingMean.read(), scale));
      return (bn.beta ? tf.add(bn.beta.read(), shift) : shift) as tf.Tensor1D;
    });
  }
  const bias = (layer as unknown as { bias?: { read(): tf.Tensor } | null }).bias;
  if (!bias || !AFFINE_LAYERS.has(cls)) return null;
  return bias.read() as tf.Tensor1D;
}

function walkStep(layer: Layer): WalkStep {
  const nodes = layer.inboundNodes;
  if (nodes.length !== 1 || nodes[0].outputTensors.length !== 1) {
    throw new UserError(`Layer "${layer.name}" is called ${nodes.length} times or has several outputs; this method walks models whose layers are each called once.`);
  }
  const cls = layer.getClassName();
  const act = fusedActivation(layer);
  const output = nodes[0].outputTensors[0];
  const apply = (ins: tf.Tensor[]) => layer.apply(ins.length === 1 ? ins[0] : ins) as tf.Tensor;
  const base = { name: layer.name, className: cls, inputs: nodes[0].inputTensors.map((s) => String(s.id)), output: String(output.id),
    outputShape: output.shape.slice(1) as number[], bias: () => layerBias(layer) };
  if (ELEMENTWISE_LAYERS.has(cls)) return { ...base, rule: 'elementwise', affine: (ins) => ins[0], nonlinearity: (z) => apply([z]) };
  if (AFFINE_LAYERS.has(cls) && act?.getClassName() !== 'softmax') {
    return { ...base, rule: 'affine', affine: (ins) => (act ? preActivation(layer, ins) : apply(ins)), nonlinearity: act ? (z) => act.apply(z) : null };
  }
  return { ...base, rule: MAX_LAYERS.has(cls) ? 'max' : 'other', affine: apply, nonlinearity: null };
}

export function layersWalk(model: LayersModel): ModelWalk {
  const steps = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map(walkStep);
  return {
    steps,
    input: String(model.inputs[0].id),
    output: String(model.outputs[0].id),
    valueOf: (cut: CutPoint) => {
      if (cut.position === 0) return String(model.inputs[0].id);
      return String(model.getLayer(cut.name).inboundNodes[0].outputTensors[0].id);
    },
    run(feeds, fetch, hook) {
      const values = new Map(feeds);
      for (const step of steps) {
        if (values.has(step.output)) continue;
        const inputs = step.inputs.map((id) => values.get(id));
        if (inputs.some((t) => t === undefined)) continue;
        const ins = inputs as tf.Tensor[];
        const out = hook?.(step, ins) ?? (step.nonlinearity ? step.nonlinearity(step.affine(ins)) : step.affine(ins));
        values.set(step.output, out);
      }
      const out = values.get(fetch);
      if (!out) throw new Error(`walk: value ${fetch} is not reachable from the feeds`);
      return out;
    },
  };
}
