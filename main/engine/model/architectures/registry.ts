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

/** Built-in ViTs: not LayersModels; built and trained by model/vit/ (runs/train-run.ts dispatches on the id). */
const VIT_ARCHITECTURES: Record<string, string> = {
  'vit-tiny': 'a tiny Vision Transformer: 4x4 patches, 4 pre-norm blocks of width 64, 4 heads, [CLS] head (--width scales the width)',
};

export const ARCHITECTURE_IDS = [...Object.keys(ARCHITECTURES), ...Object.keys(VIT_ARCHITECTURES)];

export function isVitArchitecture(id: string): boolean {
  return id in VIT_ARCHITECTURES;
}

export function describeArchitectures(): string[] {
  return [...Object.entries(ARCHITECTURES).map(([id, a]) => `${id}: ${a.describe}`), ...Object.entries(VIT_ARCHITECTURES).map(([id, d]) => `${id}: ${d}`)];
}

export function buildArchitecture(id: string, opts: ArchOptions): InstanceType<typeof tfl.LayersModel> {
  const arch = ARCHITECTURES[id];
  if (isVitArchitecture(id)) throw new Error(`${id} is not a LayersModel; build it with model/vit/`);
  if (!arch) throw new UserError(`Unknown architecture "${id}".`, `Use one of: ${ARCHITECTURE_IDS.join(', ')}.`);
  const [h, w, c] = opts.inputShape;
  if (![h, w, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new UserError(`Invalid input shape ${opts.inputShape.join('x')}.`, 'Give it as HxWxC, e.g. 32x32x3.');
  }
  return arch.build(opts);
}
