// Cut points (docs/methods.md §1.1), for every model kind: tensors x^l such that the rest of the network f^l depends on x^l
// alone (each kind lists its own: layers/layers-cut-points.ts, onnx/). A "block output" is the end of a stage: for
// chains of convolutions (VGG) the pooling output that starts a resolution, for residual or dense stages the last
// cut at that resolution.
import { UserError } from '../errors';
import type { CutPoint, VisionModel } from './vision-model';

export type { CutPoint } from './vision-model';

/**
 * Marks one block output per spatial resolution. `isPooling` tells a pooling cut; `hasMergeBetween(from, to)` whether
 * a merge (add, concatenation, ...) lies between two topological positions, inclusive.
 */
export function markBlockOutputs(cuts: CutPoint[], isPooling: (c: CutPoint) => boolean, hasMergeBetween: (from: number, to: number) => boolean): void {
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
    const chosen = !hasMergeBetween(first.position, last.position) && isPooling(first) ? first : last;
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

/** The cut point a user's name stands for: its name or one of its aliases (nested modules sharing one output). */
export function findCutPoint(cuts: CutPoint[], name: string): CutPoint | undefined {
  return cuts.find((c) => c.name === name) ?? cuts.find((c) => c.aliases?.includes(name));
}

/** Resolves user-given layer names to cut points, refusing names that are not valid cuts with the valid ones listed. */
export function resolveCutPoints(vm: VisionModel, names: string[]): CutPoint[] {
  return names.map((name) => {
    const cut = findCutPoint(vm.cuts, name);
    if (cut) return cut;
    const valid = vm.cuts.filter((c) => c.shape.length === 3 && c.position > 0).map((c) => c.name).join(', ');
    if (vm.hasLayer(name)) {
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
