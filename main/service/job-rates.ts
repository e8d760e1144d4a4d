// Items per second and ETA of jobs (API call `jobs.rates`, `dixw jobs show`), from the finish times the store
// recorded; the same for jobs run on local worker processes and on a Redis fleet.
import { jobRate, JobRateSchema, RATE_WINDOW, type JobRate } from '../../shared/job-rate';
import { recentFinishes } from '../store/items-repo';
import { requireJob } from '../store/jobs-repo';
import type { Store } from '../store/store';

export function jobRateOf(store: Store, jobId: number): JobRate {
  const job = requireJob(store, jobId);
  return JobRateSchema.parse(jobRate(job, recentFinishes(store, jobId, RATE_WINDOW + 1)));
}
