// Turns the user's --preprocessing choice into the full preprocessing of a model whose input is h x w x c:
// 'imagenet' is torchvision's evaluation transform scaled to the model's input (Resize(256) + CenterCrop(224) at
// 224, the same 8:7 ratio at other sizes), 'none' is pixels scaled to [0, 1] at the input size, and an explicit
// preprocessing must agree with the input.
import { UserError } from '../errors';
import { IMAGENET_PREPROCESSING, PreprocessingSchema, type Preprocessing } from '../../../shared/preprocessing';

export type PreprocessingChoice = 'imagenet' | 'none' | Preprocessing;

export interface ModelInputSize {
  height: number;
  width: number;
  channels: 1 | 3;
}

export function resolvePreprocessingChoice(choice: PreprocessingChoice, input: ModelInputSize, classNames?: string[]): Preprocessing {
  const names = classNames ? { classNames } : {};
  if (choice === 'none') return PreprocessingSchema.parse({ ...input, ...names });
  if (choice === 'imagenet') {
    if (input.channels !== 3) throw new UserError(`--preprocessing imagenet is for RGB models; this one takes ${input.channels} channel(s).`, 'Use --preprocessing none or a FILE.json.');
    const resize = input.height === 224 && input.width === 224 ? 256 : Math.round((Math.min(input.height, input.width) * 256) / 224);
    return PreprocessingSchema.parse({ ...IMAGENET_PREPROCESSING, height: input.height, width: input.width, resize, ...names });
  }
  if (choice.height !== input.height || choice.width !== input.width || choice.channels !== input.channels) {
    throw new UserError(`The preprocessing says ${choice.height}x${choice.width}x${choice.channels} but the model takes ${input.height}x${input.width}x${input.channels}.`,
      'Make height, width and channels agree with the model\'s input.');
  }
  return PreprocessingSchema.parse({ ...choice, ...names });
}
