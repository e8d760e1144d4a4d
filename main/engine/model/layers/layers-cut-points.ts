// Cut points of a LayersModel (docs/methods.md §1.1): in a topological order of the layers, a layer's output is a cut exactly
// when no other edge jumps over it, i.e. every edge from a layer at or before it to a layer after it starts at it.
// Layers on no path to the output are ignored.
import { UserError } from '../../errors';
import type { CutPoint } from '../vision-model';
import { markBlockOutputs } from '../cut-points';
import type { Layer, LayersModel, SymbolicTensor } from './run-from';

const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D']);
const MERGES = new Set(['Add', 'Concatenate', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract']);

function inboundLayers(layer: Layer): Layer[] {
  return layer.inboundNodes.flatMap((n) => n.inboundLayers);
}

/** Layers from which the model output can be reached (the others cannot matter to f^l). */
function layersOnOutputPaths(model: LayersModel): Set<Layer> {
  const keep = new Set<Layer>();
  const stack = model.outputs.map((o) => o.sourceLayer as Layer);
  while (stack.length) {
    const l = stack.pop()!;
    if (keep.has(l)) continue;
    keep.add(l);
    stack.push(...inboundLayers(l));
  }
  return keep;
}

/** The cut points and, for each, the symbolic tensor it stands for (run-from.ts feeds and fetches these). */
export function listLayersCutPoints(model: LayersModel): { cuts: CutPoint[]; tensors: Map<string, SymbolicTensor> } {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(`The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs.`,
      'DIX Workbench explains image classifiers with one image input and one logits output.');
  }
  const live = layersOnOutputPaths(model);
  // A Sequential model's `layers` leaves out its InputLayer; the input must still come first (position 0, l = 0).
  const inputLayer = model.inputs[0].sourceLayer as Layer;
  const layers = [inputLayer, ...model.layers.filter((l) => l !== inputLayer && live.has(l))];
  const pos = new Map(layers.map((l, i) => [l, i] as [Layer, number]));
  const edges: Array<[number, number]> = [];
  for (const l of layers) for (const src of inboundLayers(l)) if (pos.has(src)) edges.push([pos.get(src)!, pos.get(l)!]);
  const cuts: CutPoint[] = [];
  const tensors = new Map<string, SymbolicTensor>();
  for (let i = 0; i < layers.length - 1; i++) {
    const jumped = edges.some(([u, v]) => u < i && v > i);
    if (jumped) continue;
    const layer = layers[i];
    if (layer.inboundNodes.length !== 1 || layer.inboundNodes[0].outputTensors.length !== 1) continue;
    const tensor = layer.inboundNodes[0].outputTensors[0];
    cuts.push({ name: layer.name, shape: tensor.shape.slice(1) as number[], position: i, isBlockOutput: false, className: layer.getClassName() });
    tensors.set(layer.name, tensor);
  }
  markBlockOutputs(cuts, (c) => POOLING.has(c.className),
    (from, to) => layers.slice(from, to + 1).some((l) => MERGES.has(l.getClassName())));
  return { cuts, tensors };
}
