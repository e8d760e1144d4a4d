// A loaded model summarized for its registration record: input and preprocessing, classes, cut points and the DIX
// defaults. Read from the folder's training-log.json when `dixw train` wrote it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelInfo } from '../../../shared/model-info';
import { defaultCutPoints } from './cut-points';
import { modelJsonPath } from './model-io';
import type { VisionModel } from './vision-model';

export function describeModel(vm: VisionModel): ModelInfo {
  const blocks = vm.cuts.filter((c) => c.isBlockOutput).length;
  const defaults = blocks === 0 ? [] : defaultCutPoints(vm.cuts, Math.min(3, blocks)).map((c) => c.name).reverse();
  return {
    preprocessing: vm.preprocessing,
    numClasses: vm.numClasses,
    cutPoints: vm.cuts.map((c) => ({ name: c.name, shape: [...c.shape], blockOutput: c.isBlockOutput })),
    defaultLayers: defaults,
    parameters: vm.countParams(),
    arch: vm.path === null || vm.kind !== 'layers' ? null : archFromTrainingLog(vm.path),
  };
}

function archFromTrainingLog(path: string): string | null {
  const file = join(dirname(modelJsonPath(path)), 'training-log.json');
  if (!existsSync(file)) return null;
  try {
    const arch = (JSON.parse(readFileSync(file, 'utf8')) as { arch?: unknown }).arch;
    return typeof arch === 'string' ? arch : null;
  } catch {
    return null; // a damaged log does not make the model unusable
  }
}
