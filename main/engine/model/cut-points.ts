// Cut points (SPEC Sec. 1): tensors x^l such that the rest of the network f^l depends on x^l alone. In a
// topological order of the layers, a layer's output is such a cut exactly when no other edge jumps over it, i.e.
// every edge from a layer at or before it to a layer after it starts at it. Layers on no path to the output are
// ignored. A "block output" is the end of a stage: for chains of convolutions (VGG) the pooling output that starts a
// resolution, for residual or dense stages the last cut at that resolution.
import { UserError } from '../errors';
import type { LayersModel, SymbolicTensor } from './run-from';

export interface CutPoint {
  /** The name of the layer whose output this is. */
  name: string;
  /** Output shape without the batch axis, e.g. [7, 7, 512]. */
  shape: number[];
  /** Position in the model's topological layer order. */
  position: number;
  /** True for stage/block outputs, the cut points DIX uses by default. */
  isBlockOutput: boolean;
  className: string;
  tensor: SymbolicTensor;
}

const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D']);
const MERGES = new Set(['Add', 'Concatenate', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract']);

type Layer = LayersModel['layers'][number];

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

export function listCutPoints(model: LayersModel): CutPoint[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(`The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs.`,
      'DIX Workbench explains image classifiers with one image input and one logits output.');
  }
  const live = layersOnOutputPaths(model);
  // A Sequential model's `layers` leaves out its InputLayer; the input must still come first (position 0, l = 0).
  const inputLayer = model.inputs[0].sourceLayer as Layer;
  const layers = [inputLayer, ...model.layers.filter((l) => l !== inputLayer && live.has(l))];
  const pos = new Map(layers.map((l, i) => [l, i] as [Layer, number]));
  // furthest[i] = the furthest consumer position of any edge starting at a layer before i (exclusive of i).
  const edges: Array<[number, number]> = [];
  for (const l of layers) for (const src of inboundLayers(l)) if (pos.has(src)) edges.push([pos.get(src)!, pos.get(l)!]);
  const cuts: CutPoint[] = [];
  for (let i = 0; i < layers.length - 1; i++) {
    const jumped = edges.some(([u, v]) => u < i && v > i);
    if (jumped) continue;
    const layer = layers[i];
    if (layer.inboundNodes.length !== 1 || layer.inboundNodes[0].outputTensors.length !== 1) continue;
    const tensor = layer.inboundNodes[0].outputTensors[0];
    cuts.push({ name: layer.name, shape: tensor.shape.slice(1) as number[], position: i, isBlockOutput: false,
      className: layer.getClassName(), tensor });
  }
  markBlockOutputs(cuts, layers);
  return cuts;
}

function markBlockOutputs(cuts: CutPoint[], layers: Layer[]): void {
  // A 1x1 feature map carries no spatial information, so it is never a default DIX or CAM layer.
  const spatial = cuts.filter((c) => c.shape.length === 3 && c.position > 0 && c.shape[0] * c.shape[1] > 1);
  const groups = new Map<string, CutPoint[]>();
  for (const c of spatial) {
    const key = `${c.shape[0]}x${c.shape[1]}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  for (const group of groups.values()) {
    const first = group[0];
    const last = group[group.length - 1];
    const hasMerge = layers.slice(first.position, last.position + 1).some((l) => MERGES.has(l.getClassName()));
    const chosen = !hasMerge && POOLING.has(first.className) ? first : last;
    chosen.isBlockOutput = true;
  }
}

/** The cut points DIX1/2/3 use by default: the last `count` block outputs, in order from shallow to deep. */
export function defaultCutPoints(cuts: CutPoint[], count: number): CutPoint[] {
  const blocks = cuts.filter((c) => c.isBlockOutput);
  if (blocks.length < count) {
    throw new UserError(`The model has only ${blocks.length} block output(s); ${count} are needed.`,
      `Name cut points explicitly with --layers (valid: ${cuts.map((c) => c.name).join(', ')}).`);
  }
  return blocks.slice(blocks.length - count);
}

/** The last block output before global pooling / flatten: the CAM methods' default layer. */
export function lastCutPoint(cuts: CutPoint[]): CutPoint {
  return defaultCutPoints(cuts, 1)[0];
}

/** Resolves user-given layer names to cut points, refusing names that are not valid cuts with the valid ones listed. */
export function resolveCutPoints(model: LayersModel, cuts: CutPoint[], names: string[]): CutPoint[] {
  return names.map((name) => {
    const cut = cuts.find((c) => c.name === name);
    if (cut) return cut;
    const exists = model.layers.some((l) => l.name === name);
    const valid = cuts.filter((c) => c.shape.length === 3 && c.position > 0).map((c) => c.name).join(', ');
    if (exists) {
      throw new UserError(`Layer "${name}" is not a valid cut point: a skip connection crosses it, so the rest of the network does not depend on its output alone.`,
        `Valid cut points: ${valid}.`);
    }
    throw new UserError(`The model has no layer named "${name}".`, `Valid cut points: ${valid}. See \`dixw layers --model ...\`.`);
  });
}

/** The model input as a cut point (l = 0), used by IG and the completeness identities. */
export function inputCutPoint(cuts: CutPoint[]): CutPoint {
  return cuts[0];
}
