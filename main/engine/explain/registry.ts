// Every explanation method by id. Adding a method = one file in methods/, one line here and its entry (name,
// capabilities, parameters) in shared/method-catalogue.ts; a test checks that the two list the same ids.
import { appliesTo, methodInfo } from '../../../shared/method-catalogue';
import { UserError } from '../errors';
import type { AnyMethod, ExplanationMethod } from './method';
import { dix1 } from './methods/dix1';
import { dix2 } from './methods/dix2';
import { dix3 } from './methods/dix3';
import { dix2Mul } from './methods/dix2-mul';
import { dix3Grads } from './methods/dix3-grads';
import { ig } from './methods/ig';
import { gradcam } from './methods/gradcam';
import { gradcamPlusPlus } from './methods/gradcam-plus-plus';
import { xgradcam } from './methods/xgradcam';
import { layercam } from './methods/layercam';
import { ablationcam } from './methods/ablationcam';
import { liftcam } from './methods/liftcam';
import { fullgrad } from './methods/fullgrad';
import { guidedIg } from './methods/guided-ig';
import { blurIg } from './methods/blur-ig';
import { smoothgrad } from './methods/smoothgrad';
import { rollout } from './methods/rollout';
import { gae } from './methods/gae';
import { tattr } from './methods/tattr';
import { refusedOnVit } from './methods/vit-unsupported';

const METHODS: ExplanationMethod<any>[] = [dix1, dix2, dix3, dix2Mul, dix3Grads, ig, gradcam, gradcamPlusPlus, xgradcam, layercam,
  refusedOnVit(ablationcam, 'it zeroes channels of a CNN feature map'), refusedOnVit(liftcam, 'its DeepLIFT rules walk a CNN layer by layer'),
  refusedOnVit(fullgrad, 'it sums bias gradients of a CNN\'s layers'), guidedIg, blurIg, smoothgrad, rollout, gae, tattr];

export const METHOD_IDS = METHODS.map((m) => m.id);

export function getMethod(id: string): AnyMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new UserError(`Unknown method "${id}".`, `Use one of: ${METHOD_IDS.join(', ')}.`);
  return m as AnyMethod;
}

export function listMethods(): AnyMethod[] {
  return METHODS as AnyMethod[];
}

/** The methods that can explain a model of this kind, by their declared model kinds. */
export function methodIdsFor(vm: { attention(): unknown }): string[] {
  const hasAttention = vm.attention() !== null;
  return METHODS.filter((m) => { const info = methodInfo(m.id); return info !== undefined && appliesTo(info, hasAttention); }).map((m) => m.id);
}
