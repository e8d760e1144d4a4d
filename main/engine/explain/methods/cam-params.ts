// Parameter handling shared by the CAM methods that do not fit cam-base's (activation, gradient) rule: one cut point,
// the last block output unless the user names one.
import type { ExplanationMethod } from '../method';
import type { CamParams } from './cam-base';
import { cutsByName, layerNames } from './params';

export function camMethodParams(id: string): Pick<ExplanationMethod<CamParams>, 'resolveParams' | 'cutPoints'> {
  return {
    resolveParams: (vm, o) => ({ layers: layerNames(vm, o, 1, id) }),
    cutPoints: (vm, p) => cutsByName(vm, p.layers),
  };
}
