// Turning generic method options into checked parameters, with messages that name the method and the fix.
import { UserError } from '../../errors';
import { defaultCutPoints, lastCutPoint, resolveCutPoints, type CutPoint } from '../../model/cut-points';
import type { VisionModel } from '../../model/vision-model';
import type { MethodOptions } from '../method';
import { isTokenCut } from './vit-blocks';

export function positiveInt(methodId: string, name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 1) throw new UserError(`${methodId}: ${name} must be a positive integer (got ${v}).`, `Give e.g. --${name} ${fallback}.`);
  return x;
}

export function oneOf<T extends string>(methodId: string, name: string, v: string | undefined, allowed: readonly T[], fallback: T): T {
  const x = v ?? fallback;
  if (!(allowed as readonly string[]).includes(x)) {
    throw new UserError(`${methodId}: unknown ${name} "${v}".`, `Use one of: ${allowed.join(', ')}.`);
  }
  return x as T;
}

/**
 * The user's layers, or the last `count` block outputs. A multi-layer method (DIX: any set S of cut points) takes any
 * number of user layers; the others take exactly `count`.
 */
export function layerNames(vm: VisionModel, options: MethodOptions, count: number, methodId: string, multiLayer = false): string[] {
  if (options.layers && options.layers.length > 0) {
    const cuts = resolveCutPoints(vm, options.layers);
    const am = vm.attention();
    const flat = cuts.find((c) => c.shape.length !== 3 && !(am && isTokenCut(am, c)));
    if (flat) {
      // A flat cut (flatten, dense) would otherwise fail deep inside TF.js with an axis error.
      throw new UserError(`${methodId}: layer "${flat.name}" has output shape [${flat.shape.join(', ')}], not a spatial feature map [h, w, c].`,
        `Name spatial cut points: ${vm.cuts.filter((c) => c.shape.length === 3 && c.position > 0).map((c) => c.name).join(', ')}.`);
    }
    if (count > 0 && cuts.length !== count && !multiLayer) {
      throw new UserError(`${methodId} takes ${count} layer(s); ${cuts.length} were given.`, 'Give one cut point with --layers.');
    }
    return cuts.map((c) => c.name);
  }
  return (count === 1 ? [lastCutPoint(vm.cuts)] : defaultCutPoints(vm.cuts, count)).map((c) => c.name);
}

export function cutsByName(vm: VisionModel, names: string[]): CutPoint[] {
  return resolveCutPoints(vm, names);
}
