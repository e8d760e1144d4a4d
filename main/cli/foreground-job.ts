// A job run by the command that queued it: the scheduler and a real worker process in the background of this
// command, a progress bar with ETA on the terminal. Ctrl-C (or SIGTERM) stops here and leaves the job resumable:
// `dixw worker` or the app continues it at its first uncommitted item. If another runner (the app, `dixw worker`)
// took the job first, the bar follows it from the database. If the database refuses the job's writes (a full disk,
// a damaged file), the scheduler would retry for ever in the background: this command says why and exits instead.
import type { ServiceEvent } from '../../shared/service-api';
import type { JobRecord } from '../../shared/store-types';
import type { WorkbenchService } from '../service/service';
import { CliExit } from './command';
import { ProgressBar } from './progress';

export interface ForegroundOptions {
  label: string;
  /** No bar (e.g. --json). */
  quiet: boolean;
  /** Bar units: items (explain) or the share of one long item (train). */
  progress: 'items' | 'fraction';
}

const POLL_MS = 100;
const FOLLOW_MS = 500;
const FRACTION_STEPS = 1000;

export async function runInForeground(service: WorkbenchService, jobId: number, o: ForegroundOptions): Promise<JobRecord> {
  // What the job's submission noted in its log (e.g. labels outside the model's classes), before the bar starts.
  for (const e of (await service.jobs.show(jobId)).events.filter((e) => e.level === 'warn').reverse()) process.stderr.write(`warning: ${e.message}\n`);
  const bar = new ProgressBar(o.label, !o.quiet, o.progress === 'fraction' ? 'percent' : 'count');
  const runner = service.runJobs({ onlyJobIds: [jobId], pollMs: POLL_MS });
  let onTrouble: (message: string) => void = () => undefined;
  // The scheduler's 'error': the store refused a write or a read of the queue (e.g. "disk is full"); it would back off
  // and retry for as long as the command runs, with the job still marked running, so the bar would stop silently.
  const trouble = new Promise<{ trouble: string }>((resolve) => {
    onTrouble = (message) => resolve({ trouble: message });
  });
  const off = service.on((e: ServiceEvent) => {
    if (e.type === 'item-committed' && e.jobId === jobId && o.progress === 'items') bar.update(e.itemsDone, e.itemsTotal, e.itemName ?? e.itemKey);
    else if (e.type === 'item-progress' && e.jobId === jobId && o.progress === 'fraction') bar.update(Math.round(e.fraction * FRACTION_STEPS), FRACTION_STEPS, e.note ?? '');
    // An item that reports its own progress (a sanity job training its pair): its note, e.g. "epoch 12/60, acc 0.87".
    else if (e.type === 'item-progress' && e.jobId === jobId && e.note) bar.note(e.note);
    else if (e.type === 'worker-crashed' && e.jobId === jobId) process.stderr.write(`\nthe worker process died on ${e.itemKey} (attempt ${e.crashes}): ${e.cause}\n`);
    else if (e.type === 'error') onTrouble(e.message);
  });
  const follow = setInterval(() => {
    void service.jobs.get(jobId).then((j) => {
      if (o.progress === 'items' && j.runner !== null) bar.update(j.itemsDone, j.itemsTotal);
    }, () => undefined);
  }, FOLLOW_MS);
  let onSignal: (() => void) | null = null;
  const interrupted = new Promise<'interrupted'>((resolve) => {
    onSignal = () => resolve('interrupted');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    const outcome = await Promise.race([runner.waitForJob(jobId), interrupted, trouble]);
    if (outcome === 'interrupted') {
      await runner.stop();
      throw new CliExit(130, `interrupted; job ${jobId} is left unfinished and resumes at its first uncommitted item with "dixw worker" or the app ("dixw jobs cancel ${jobId}" drops it).`);
    }
    if ('trouble' in outcome) {
      await runner.stop();
      bar.finish(`job ${jobId} stopped`);
      throw new CliExit(1, `job ${jobId} cannot go on: ${outcome.trouble.replace(new RegExp(`^job ${jobId}: `), '')}\n` +
        `It is left unfinished: once that is fixed, "dixw worker" or the app resumes it at its first uncommitted item ("dixw jobs cancel ${jobId}" drops it).`);
    }
    bar.finish(`job ${jobId} ${outcome.state}`);
    return outcome;
  } finally {
    clearInterval(follow);
    off();
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await runner.stop();
  }
}

/** A job that did not finish well ends the command with its reason. */
export function requireDone(job: JobRecord): void {
  if (job.state === 'done') return;
  if (job.state === 'failed') throw new CliExit(1, `job ${job.id} failed: ${job.error ?? 'no reason recorded'}`);
  if (job.state === 'cancelled') throw new CliExit(1, `job ${job.id} was cancelled.`);
  if (job.state === 'paused') throw new CliExit(0, `job ${job.id} was paused at ${job.itemsDone}/${job.itemsTotal}; "dixw jobs resume ${job.id}" and "dixw worker" continue it.`);
}
