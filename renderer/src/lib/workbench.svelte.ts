// The app's live state: what the server is, the registered datasets and models, every job with its progress, and
// the connection. Views read it and call `refresh*` after changing something; service events keep jobs current.
import type { AppInfo, ServiceEvent } from '../../../shared/api';
import type { JobRate } from '../../../shared/job-rate';
import type { DatasetRecord, JobRecord, ModelRecord } from '../../../shared/store-types';
import { client, errorText, type ConnectionState } from './client';

/** What the current item of a running job reported. */
export interface LiveProgress {
  fraction: number;
  note: string | null;
}

class Workbench {
  info = $state<AppInfo | null>(null);
  datasets = $state<DatasetRecord[]>([]);
  models = $state<ModelRecord[]>([]);
  jobs = $state<JobRecord[]>([]);
  live = $state<Record<number, LiveProgress>>({});
  /** Items per second and ETA of the unfinished jobs, from the store's finish times (local workers or a fleet). */
  rates = $state<Record<number, JobRate>>({});
  connection = $state<ConnectionState>('connecting');
  loadError = $state<string | null>(null);
  private pendingJobs: ReturnType<typeof setTimeout> | null = null;

  async start(): Promise<void> {
    client.subscribe(
      (e) => this.onEvent(e),
      (state) => {
        const wasDown = this.connection !== 'open';
        this.connection = state;
        // Back after a gap: events were missed, so read everything again.
        if (state === 'open' && wasDown) void this.refreshAll();
      },
    );
    await this.refreshAll();
  }

  async refreshAll(): Promise<void> {
    try {
      this.info = await client.call('app.info', {});
      await Promise.all([this.refreshDatasets(), this.refreshModels(), this.refreshJobs()]);
      this.loadError = null;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  async refreshDatasets(): Promise<void> {
    this.datasets = await client.call('datasets.list', {});
  }

  async refreshModels(): Promise<void> {
    this.models = await client.call('models.list', {});
  }

  async refreshJobs(): Promise<void> {
    this.jobs = await client.call('jobs.list', {});
    const unfinished = this.jobs.filter((j) => j.state === 'running' || j.state === 'paused').map((j) => j.id).slice(0, 100);
    const rates: Record<number, JobRate> = {};
    if (unfinished.length > 0) for (const r of await client.call('jobs.rates', { ids: unfinished })) rates[r.jobId] = r;
    this.rates = rates;
  }

  /** Many events arrive per second on a fast job: the list is read again at most every 250 ms. */
  private scheduleJobs(): void {
    if (this.pendingJobs) return;
    this.pendingJobs = setTimeout(() => {
      this.pendingJobs = null;
      this.refreshJobs().catch(() => undefined);
    }, 250);
  }

  private liveOf(jobId: number): LiveProgress {
    return (this.live[jobId] ??= { fraction: 0, note: null });
  }

  private onEvent(e: ServiceEvent): void {
    switch (e.type) {
      case 'item-progress': {
        const l = this.liveOf(e.jobId);
        l.fraction = e.fraction;
        l.note = e.note ?? null;
        return;
      }
      case 'item-committed': {
        const l = this.liveOf(e.jobId);
        l.fraction = 0;
        l.note = null;
        const job = this.jobs.find((j) => j.id === e.jobId);
        if (job) {
          job.itemsDone = e.itemsDone;
          job.progress = e.itemsTotal > 0 ? e.itemsDone / e.itemsTotal : 1;
        }
        return this.scheduleJobs();
      }
      case 'model-registered':
        this.refreshModels().catch(() => undefined);
        return this.scheduleJobs();
      case 'job-queued':
      case 'job-started':
      case 'job-stopped':
      case 'worker-crashed':
        return this.scheduleJobs();
      default:
        return;
    }
  }
}

export const workbench = new Workbench();
