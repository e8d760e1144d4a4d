// The two models of the data randomization test (docs/methods.md §5.5; Adebayo et al. Sec. 3.2): one architecture trained
// with one seed on the true labels and on a fixed seeded permutation of them, both until their training accuracy
// (on the labels they were given) reaches the target, 95% by default. Same seed for both, so initial weights and
// batch order are the same and only the labels differ. A model that never reaches the target fails the test with a
// UserError: a random-label model that has not memorized its labels says nothing about the explanation method.
import { join } from 'node:path';
import { UserError } from '../errors';
import { runTrain, type TrainRunOptions, type TrainRunSummary } from '../runs/train-run';
import type { TrainProgress } from '../train/train-model';

export const DATA_RANDOMIZATION_ACCURACY = 0.95;

export interface RandomizationPairOptions extends Omit<TrainRunOptions, 'out' | 'permuteLabels' | 'stopAtAccuracy'> {
  /** The models go to OUT/true-labels and OUT/random-labels. */
  out: string;
  /** Epoch budget for the permuted labels; default twice `epochs` (Adebayo et al.: 50 true vs 100 random). */
  randomEpochs?: number;
  /** Training accuracy both models must reach; default 0.95. */
  targetAccuracy?: number;
}

export interface RandomizationPair {
  trueModel: string;
  randomModel: string;
  trueLabels: TrainRunSummary;
  randomLabels: TrainRunSummary;
}

export type PairProgress = TrainProgress & { model: 'true-labels' | 'random-labels' };

function checkReached(s: TrainRunSummary, target: number, what: string, epochsFlag: string): void {
  if (s.finalTrainAccuracy >= target) return;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  throw new UserError(`The model trained on ${what} reached ${pct(s.finalTrainAccuracy)} training accuracy after ${s.epochs.length} epochs; `
    + `the data randomization test needs at least ${pct(target)}.`,
  `Train longer (${epochsFlag}), with a higher learning rate or a wider model, or on fewer images (--limit); or supply both models yourself.`);
}

export async function trainRandomizationPair(o: RandomizationPairOptions, onProgress?: (p: PairProgress) => void): Promise<RandomizationPair> {
  const target = o.targetAccuracy ?? DATA_RANDOMIZATION_ACCURACY;
  const trueModel = join(o.out, 'true-labels');
  const randomModel = join(o.out, 'random-labels');
  const trueLabels = await runTrain({ ...o, out: trueModel, permuteLabels: false, stopAtAccuracy: target },
    (p) => onProgress?.({ ...p, model: 'true-labels' }));
  checkReached(trueLabels, target, 'the true labels', '--epochs');
  const randomLabels = await runTrain({ ...o, epochs: o.randomEpochs ?? 2 * o.epochs, out: randomModel, permuteLabels: true, stopAtAccuracy: target },
    (p) => onProgress?.({ ...p, model: 'random-labels' }));
  checkReached(randomLabels, target, 'permuted labels', '--random-epochs');
  return { trueModel, randomModel, trueLabels, randomLabels };
}
