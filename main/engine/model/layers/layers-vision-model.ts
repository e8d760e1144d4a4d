// A TF.js LayersModel (a model folder, or a built-in architecture trained in the app) behind the engine's model
// interface: forward passes and run-from-cut through run-from.ts, cut points from layers-cut-points.ts, weights as
// tf.Variables, and the layer walk of layer-walk.ts.
import { tf } from '../../tf';
import { UserError } from '../../errors';
import { PreprocessingSchema, type Preprocessing } from '../../../../shared/preprocessing';
import type { CutPoint, ModelKind, ModelWalk, ParameterizedModule, VisionModel } from '../vision-model';
import { listLayersCutPoints } from './layers-cut-points';
import { layersParameterizedModules } from './layers-weights';
import { layersWalk } from './layer-walk';
import { runFrom, type LayersModel, type SymbolicTensor } from './run-from';

/** The preprocessing implied by the model's input shape, for models without preprocessing.json. */
export function defaultPreprocessing(model: LayersModel): Preprocessing {
  const shape = model.inputs[0].shape;
  const [h, w, c] = shape.slice(1);
  if (shape.length !== 4 || !h || !w || (c !== 1 && c !== 3)) {
    throw new UserError(`The model's input shape [${shape.map((d) => d ?? '?').join(', ')}] is not an image of fixed size with 1 or 3 channels.`,
      'DIX Workbench needs [batch, height, width, 1|3] inputs; re-export the model with a fixed input size.');
  }
  return PreprocessingSchema.parse({ height: h, width: w, channels: c });
}

export function checkPreprocessingMatches(model: LayersModel, prep: Preprocessing): void {
  const [, h, w, c] = model.inputs[0].shape;
  if ((h && h !== prep.height) || (w && w !== prep.width) || (c && c !== prep.channels)) {
    throw new UserError(`preprocessing.json says ${prep.height}x${prep.width}x${prep.channels} but the model takes ${h}x${w}x${c}.`,
      'Make preprocessing.json agree with the model\'s input shape.');
  }
  const n = prep.channels;
  for (const [k, v] of [['mean', prep.mean], ['std', prep.std]] as const) {
    if (v.length !== 1 && v.length !== n) throw new UserError(`preprocessing.json: ${k} has ${v.length} entries for ${n} channel(s).`, `Give one ${k} or one per channel.`);
  }
}

export class LayersVisionModel implements VisionModel {
  readonly kind: ModelKind = 'layers';
  readonly preprocessing: Preprocessing;
  readonly cuts: CutPoint[];
  readonly numClasses: number;
  private readonly tensors: Map<string, SymbolicTensor>;
  private walkCache: ModelWalk | null = null;

  constructor(readonly model: LayersModel, preprocessing: Preprocessing | null, readonly hash: string, readonly path: string | null) {
    this.preprocessing = preprocessing ?? defaultPreprocessing(model);
    checkPreprocessingMatches(model, this.preprocessing);
    const out = model.outputs[0].shape;
    this.numClasses = out[out.length - 1] ?? 0;
    ({ cuts: this.cuts, tensors: this.tensors } = listLayersCutPoints(model));
  }

  countParams(): number {
    return this.model.countParams();
  }

  predict(input: tf.Tensor): tf.Tensor2D {
    return this.model.predict(input) as tf.Tensor2D;
  }

  forwardWithActivations(input: tf.Tensor, cuts: CutPoint[]): { activations: tf.Tensor[]; logits: tf.Tensor2D } {
    const outs = runFrom(this.model, [[this.model.inputs[0], input]], [...cuts.map((c) => this.symbolic(c)), this.model.outputs[0]]);
    return { activations: outs.slice(0, cuts.length), logits: outs[cuts.length] as tf.Tensor2D };
  }

  tailLogits(cut: CutPoint, activation: tf.Tensor): tf.Tensor2D {
    return runFrom(this.model, [[this.symbolic(cut), activation]])[0] as tf.Tensor2D;
  }

  hasLayer(name: string): boolean {
    return this.model.layers.some((l) => l.name === name);
  }

  parameterizedModules(): ParameterizedModule[] {
    return layersParameterizedModules(this.model);
  }

  tailActivationBytes(cut: CutPoint): number {
    const start = cut.position === 0 ? 0 : this.model.layers.findIndex((l) => l.name === cut.name) + 1;
    let elements = 0;
    for (const layer of this.model.layers.slice(start)) {
      for (const node of layer.inboundNodes) for (const t of node.outputTensors) elements += t.shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
    }
    return elements * 4;
  }

  walk(): ModelWalk {
    this.walkCache ??= layersWalk(this.model);
    return this.walkCache;
  }

  attention(): null {
    return null;
  }

  dispose(): void {
    this.model.dispose();
  }

  private symbolic(cut: CutPoint): SymbolicTensor {
    if (cut.position === 0) return this.model.inputs[0];
    const t = this.tensors.get(cut.name);
    if (!t) throw new Error(`cut point ${cut.name} does not belong to this model`);
    return t;
  }
}

export function wrapModel(model: LayersModel, preprocessing: Preprocessing | null, hash: string, path: string | null): LayersVisionModel {
  return new LayersVisionModel(model, preprocessing, hash, path);
}
