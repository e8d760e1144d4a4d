// What a job's items carry to fleet workers as their inputs. A data randomization sanity job that trains its model
// pair learns the pair only when its first item ("train-pair") is done, on whichever worker ran it, which uploaded
// both models to this coordinator's --train-out. The items after it carry both models by content hash and their path
// here, as a sanity job with given models does (model, randomModel), so any worker finds them at that path or in its
// cache, or fetches them from the coordinator like any other model.
import { SanityItemOutputSchema } from '../../../shared/job-outputs';
import type { JobInputs } from '../../../shared/job-spec';
import type { JobRecord } from '../../../shared/store-types';
import { findItem } from '../../store/items-repo';
import type { Store } from '../../store/store';
import { TRAIN_PAIR_ITEM } from '../trained-pair-paths';

export function itemInputs(store: Store, job: Pick<JobRecord, 'id' | 'spec' | 'inputs'>): JobInputs {
  if (job.spec.kind !== 'sanity' || !job.spec.train) return job.inputs;
  const item = findItem(store, job.id, TRAIN_PAIR_ITEM);
  const output = item?.state === 'done' ? SanityItemOutputSchema.safeParse(item.output) : null;
  if (!output?.success || output.data.kind !== 'trained-pair') return job.inputs;
  const { trueLabels, randomLabels } = output.data;
  return { ...job.inputs, model: { id: null, path: trueLabels.path, hash: trueLabels.hash }, randomModel: { id: null, path: randomLabels.path, hash: randomLabels.hash } };
}
