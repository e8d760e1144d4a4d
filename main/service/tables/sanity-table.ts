// The table of a sanity job: one row per step, method and measure with the mean, standard deviation and 95%
// bootstrap interval over images (the same summaries as the job's curves and its --json).
import type { JobRecord } from '../../../shared/store-types';
import type { SanityJobSummary } from '../../../shared/service-api';
import type { WorkbenchService } from '../service';
import type { Table } from './registry';

const r4 = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v.toFixed(4)));

export async function sanityTable(service: WorkbenchService, job: JobRecord): Promise<Table> {
  const s = (await service.results.summary(job.id)) as SanityJobSummary;
  const test = s.test === 'data' ? 'data randomization' : `${s.test} randomization`;
  return {
    title: `Job ${job.id}: ${test}, ${s.dataset.images} image(s), seed ${s.seed}; mean, std and 95% bootstrap interval of the similarity to the trained model's map`,
    columns: ['step', 'label', 'method', 'measure', 'n', 'mean', 'std', 'ci95 low', 'ci95 high'],
    rows: s.summaries.map((x) => [x.step, x.label, x.method, x.measure, x.n, r4(x.mean), r4(x.std), r4(x.ci95?.[0]), r4(x.ci95?.[1])]),
    json: { jobId: job.id, test: s.test, seed: s.seed, images: s.dataset.images, steps: s.steps, summaries: s.summaries },
  };
}
