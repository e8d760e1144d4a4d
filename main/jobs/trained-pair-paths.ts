// Where a data randomization sanity job that trains its model pair keeps the two models (inside --train-out): the
// executor writes and loads them there, and a fleet coordinator receives them there from the worker that trained them.
import { join } from 'node:path';

export function trainedPairPaths(out: string): { trueModel: string; randomModel: string } {
  return { trueModel: join(out, 'true-labels'), randomModel: join(out, 'random-labels') };
}
