// Turning generic method options into checked parameters, with messages that name the method and the fix.
import type { z } from 'zod';
import { methodInfo } from '../../../../shared/method-catalogue';
import { flagOf, paramInfo } from '../../../../shared/method-options';
import { UserError } from '../../errors';
import { defaultCutPoints, lastCutPoint, resolveCutPoints, type CutPoint } from '../../model/cut-points';
import type { VisionModel } from '../../model/vision-model';
import type { MethodOptions } from '../method';
import { blockCuts, isTokenCut } from './vit-blocks';

/**
 * A method's declared parameters (shared/method-catalogue.ts) from the generic options: the keys its schema declares,
 * checked, with its defaults filled in. The first bad value is refused with the method, the flag and an example.
 */
export function declaredParams<S extends z.ZodObject>(methodId: string, schema: S, options: MethodOptions): z.infer<S> {
  const given = Object.fromEntries(Object.keys(schema.shape).filter((k) => (options as Record<string, unknown>)[k] !== undefined)
    .map((k) => [k, (options as Record<string, unknown>)[k]]));
  const r = schema.safeParse(given);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = String(issue.path[0] ?? '');
  const info = paramInfo(key, schema.shape[key] as z.ZodType);
  const example = info.default === undefined ? '' : `Give e.g. ${flagOf(key)} ${String(info.default)}.`;
  throw new UserError(`${methodId}: ${flagOf(key)} ${issue.message} (got ${JSON.stringify(given[key])}).`, example || undefined);
}

/**
 * The user's layers, or the last `count` block outputs. A multi-layer method (declared in the catalogue: DIX takes any
 * set S of cut points) takes any number of user layers; the others take exactly `count`.
 */
export function layerNames(vm: VisionModel, options: MethodOptions, count: number, methodId: string): string[] {
  const multiLayer = methodInfo(methodId)?.multiLayer ?? false;
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
  return (count === 1 ? [defaultSingleCut(vm, methodId)] : defaultCutPoints(vm.cuts, count)).map((c) => c.name);
}

/**
 * A one-layer method's default cut: the last cut point of a CNN; on a ViT the last block's input (the output of the
 * block before it). The last block's output is no use there: only its [CLS] token reaches the head, so the gradient
 * at its patch tokens is exactly zero and every CAM map would be blank (pytorch-grad-cam's ViT recipe also hooks the
 * last block's first norm, which reads that input).
 */
function defaultSingleCut(vm: VisionModel, methodId: string): CutPoint {
  const am = vm.attention();
  if (!am) return lastCutPoint(vm.cuts);
  const blocks = blockCuts(vm, am);
  if (blocks.length < 2) {
    throw new UserError(`${methodId}: this ViT has one encoder block, whose output patch tokens do not reach its [CLS] head (their gradient is zero).`,
      'Name a cut point before the block with --layers, or use rollout, gae or ig.');
  }
  return blocks[blocks.length - 2];
}

export function cutsByName(vm: VisionModel, names: string[]): CutPoint[] {
  return resolveCutPoints(vm, names);
}
