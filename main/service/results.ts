// Results of a job: its maps, decoded from the store, and its summary.
import { JobMapsQuerySchema, RecordIdSchema, type JobMap, type JobMapsQuery, type JobSummary } from '../../shared/service-api';
import { metricsSummaryOffThread } from '../jobs/metrics-summary-thread';
import { listItems } from '../store/items-repo';
import { requireJob } from '../store/jobs-repo';
import { listJobMaps, readMap } from '../store/maps-repo';
import type { Store } from '../store/store';
import { explainSummary, trainSummary } from './job-summaries';
import { sanitySummary } from './sanity-summary';
import { guarded, parseInput } from './service-error';

export class ResultsApi {
  /** Metrics summaries of finished jobs, by job id: their tables' bootstrap intervals take seconds, and a finished
   *  job's scores change only when it runs again, which changes its record (updatedAt). */
  private readonly finishedMetrics = new Map<number, { stamp: string; summary: Promise<JobSummary> }>();

  constructor(private readonly store: Store) {}

  /** The maps a job computed or reused, in item order, decoded (values within the stored maxError). */
  maps(query: JobMapsQuery): Promise<JobMap[]> {
    return guarded(() => {
      const { jobId, method, limit, offset = 0 } = parseInput(JobMapsQuerySchema, query, 'map query');
      requireJob(this.store, jobId);
      const records = listJobMaps(this.store, jobId).filter((m) => method === undefined || m.method === method);
      return records.slice(offset, limit === undefined ? undefined : offset + limit).flatMap((r) => {
        const read = readMap(this.store, r.key);
        return read ? [{ record: read.record, itemKey: r.itemKey, reused: r.reused, values: read.map.values, provenance: read.record.provenance }] : [];
      });
    });
  }

  /** What the job did so far; null for kinds without a summary yet. */
  summary(jobId: number): Promise<JobSummary | null> {
    return guarded(async (): Promise<JobSummary | null> => {
      const job = requireJob(this.store, parseInput(RecordIdSchema, jobId, 'job id'));
      if (job.kind === 'explain') return explainSummary(job, listItems(this.store, job.id));
      if (job.kind === 'train') return trainSummary(job, listItems(this.store, job.id));
      if (job.kind === 'sanity') return sanitySummary(this.store, job);
      if (job.kind === 'metrics') {
        // On a worker thread: the table's intervals can take seconds, and this process answers the app meanwhile.
        const compute = () => metricsSummaryOffThread(this.store, job);
        if (job.state !== 'done') return compute();
        const stamp = `${job.updatedAt}`;
        const cached = this.finishedMetrics.get(job.id);
        if (cached?.stamp === stamp) return cached.summary;
        const summary = compute();
        this.finishedMetrics.set(job.id, { stamp, summary });
        summary.catch(() => this.finishedMetrics.delete(job.id));
        return summary;
      }
      return null;
    });
  }
}
