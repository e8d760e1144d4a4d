// Runs a functional LayersModel from intermediate tensors: f^l(x^l) for a cut point l, and the prefix forward pass
// that fetches several activations at once. It calls LayersModel.prototype.execute on a view of the model whose
// `inputs` are the feed points (execute builds its FeedDict from this.inputs) and whose fetches are given directly
// (layer.output breaks once a layer is reused). This relies on tfjs-layers 4.22.0 internals: the version is pinned and
// test/engine/cut-points.test.ts checks that running from every cut equals the full forward pass.
import { tf, tfl } from '../../tf';

export type LayersModel = InstanceType<typeof tfl.LayersModel>;
export type SymbolicTensor = LayersModel['inputs'][number];
export type Layer = LayersModel['layers'][number];
export type LayerWeight = Layer['weights'][number];

/** The tensor a layer produces (its first inbound node's first output). */
export function layerOutput(model: LayersModel, layerName: string): SymbolicTensor {
  const layer = model.getLayer(layerName);
  return layer.inboundNodes[0].outputTensors[0];
}

/**
 * Evaluates `fetches` (default: the model's output) given values for `feeds`. The feeds must separate the fetches
 * from the model input; otherwise TF.js throws (and callers check validity first with cut-points.ts).
 */
export function runFrom(model: LayersModel, feeds: Array<[SymbolicTensor, tf.Tensor]>, fetches: SymbolicTensor[] = model.outputs): tf.Tensor[] {
  const view = Object.create(model, {
    inputs: { value: feeds.map(([s]) => s) },
    retrieveSymbolicTensors: { value: () => fetches },
  }) as LayersModel;
  const out = tfl.LayersModel.prototype.execute.call(view, feeds.map(([, t]) => t), fetches.map((f) => f.name));
  return Array.isArray(out) ? out : [out];
}
