// Where a data randomization sanity job that trains its model pair keeps the two models (inside --train-out): the
// executor writes and loads them there, and a fleet coordinator receives them there from the worker that trained them.
import { join } from 'node:path';

/** The item of such a job that trains the pair; every later item needs it done. */
export const TRAIN_PAIR_ITEM = 'train-pair';

export function trainedPairPaths(out: string): { trueModel: string; randomModel: string } {
  return { trueModel: join(out, 'true-labels'), randomModel: join(out, 'random-labels') };
}
