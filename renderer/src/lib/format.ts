// Numbers and times as people read them.
import { methodName } from '../../../shared/method-display';
import type { JobRate } from '../../../shared/job-rate';
import type { JobRecord } from '../../../shared/store-types';
import type { LiveProgress } from './workbench.svelte';

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 90) return `${m} min ${Math.round(seconds - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function when(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Progress including the current item's own fraction. */
export function jobFraction(job: JobRecord, live: LiveProgress | undefined): number {
  if (job.itemsTotal === 0) return job.state === 'done' ? 1 : 0;
  const current = job.state === 'running' ? (live?.fraction ?? 0) : 0;
  return Math.min(1, (job.itemsDone + current) / job.itemsTotal);
}

/** Seconds left: the job's rate from the store (items finished per second, whichever workers ran them) counted
 *  down from its last commit; before the first commit, from the time since the start. */
export function jobEta(job: JobRecord, rate: JobRate | undefined, now: number): number | null {
  if (job.state !== 'running') return null;
  const left = job.itemsTotal - job.itemsDone;
  if (left <= 0) return 0;
  if (rate?.expectedAt) return Math.max(0, (Date.parse(rate.expectedAt) - now) / 1000);
  if (!job.startedAt || job.itemsDone === 0) return null;
  return ((now - Date.parse(job.startedAt)) / job.itemsDone / 1000) * left;
}

/** Items per second as people read it ("0.42/s", "12/s"). */
export function perSecond(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  return `${rate < 10 ? rate.toFixed(2) : Math.round(rate)}/s`;
}

export function jobTitle(job: JobRecord): string {
  const s = job.spec as { methods?: string[]; arch?: string; test?: string };
  const methods = s.methods?.map(methodName).join(', ');
  const what = job.kind === 'train' ? s.arch : job.kind === 'sanity' ? `${s.test} ${methods}` : methods;
  return `#${job.id} ${job.kind}${what ? `: ${what}` : ''}`;
}
