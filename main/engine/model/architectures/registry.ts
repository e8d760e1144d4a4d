// The built-in architectures by id, as `dixw train --arch` names them.
import type { tfl } from '../../tf';
import { UserError } from '../../errors';
import type { ArchOptions } from './layers-util';
import { buildSmallCnn } from './small-cnn';
import { buildVgg } from './vgg';
import { buildResNet18 } from './resnet';

export type { ArchOptions } from './layers-util';

const ARCHITECTURES: Record<string, { describe: string; build: (o: ArchOptions) => InstanceType<typeof tfl.LayersModel> }> = {
  'small-cnn': { describe: 'three conv blocks + two dense layers, for 28x28 and 32x32 inputs', build: buildSmallCnn },
  vgg11: { describe: 'VGG-11 (configuration A)', build: (o) => buildVgg(11, o) },
  vgg16: { describe: 'VGG-16 (configuration D)', build: (o) => buildVgg(16, o) },
  vgg19: { describe: 'VGG-19 (configuration E), the paper\'s sanity-test model', build: (o) => buildVgg(19, o) },
  resnet18: { describe: 'ResNet-18-style, four residual stages', build: buildResNet18 },
};

export const ARCHITECTURE_IDS = Object.keys(ARCHITECTURES);

export function describeArchitectures(): string[] {
  return Object.entries(ARCHITECTURES).map(([id, a]) => `${id}: ${a.describe}`);
}

export function buildArchitecture(id: string, opts: ArchOptions): InstanceType<typeof tfl.LayersModel> {
  const arch = ARCHITECTURES[id];
  if (!arch) throw new UserError(`Unknown architecture "${id}".`, `Use one of: ${ARCHITECTURE_IDS.join(', ')}.`);
  const [h, w, c] = opts.inputShape;
  if (![h, w, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new UserError(`Invalid input shape ${opts.inputShape.join('x')}.`, 'Give it as HxWxC, e.g. 32x32x3.');
  }
  return arch.build(opts);
}
