// A job's throughput and ETA from what the store recorded: the finish times of its committed items. Items may run
// at the same time (several local worker processes, a fleet of machines), so the rate is items finished per second
// of wall time over the last finishes, not 1 / one item's duration: four workers finish four times as many items as
// one item's duration says. The same for the local queue and a Redis fleet, since both commit through the same store.
import { z } from 'zod';

/** Finishes looked at: enough to smooth one slow item, few enough to follow a fleet that grows or shrinks. */
export const RATE_WINDOW = 20;

export const JobRateSchema = z.strictObject({
  jobId: z.number().int(),
  itemsDone: z.number().int().nonnegative(),
  itemsTotal: z.number().int().nonnegative(),
  /** Null until an item was committed. */
  itemsPerSecond: z.number().nonnegative().nullable(),
  /** Seconds left as of `asOf`; 0 once every item is done; null while the rate is unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** The last recorded finish, which the figures are as of. */
  asOf: z.string().nullable(),
  /** asOf + etaSeconds: when the job should be done at this rate. */
  expectedAt: z.string().nullable(),
});
export type JobRate = z.infer<typeof JobRateSchema>;

export interface ItemFinish {
  finishedAt: string;
  /** The worker's own timing of the item; used only while a single finish is known. */
  durationMs: number | null;
}

export function jobRate(job: { id: number; itemsDone: number; itemsTotal: number }, finishes: readonly ItemFinish[]): JobRate {
  const times = finishes.map((f) => ({ at: Date.parse(f.finishedAt), durationMs: f.durationMs })).filter((f) => Number.isFinite(f.at)).sort((a, b) => a.at - b.at);
  const recent = times.slice(-(RATE_WINDOW + 1));
  const left = Math.max(0, job.itemsTotal - job.itemsDone);
  const last = recent[recent.length - 1];
  let itemsPerSecond: number | null = null;
  const span = recent.length >= 2 ? (last!.at - recent[0]!.at) / 1000 : 0;
  if (span > 0) {
    // n finishes bound n - 1 intervals.
    itemsPerSecond = (recent.length - 1) / span;
  } else if (last?.durationMs) {
    // One finish (or all at once): one item per its duration, a lower bound when items run side by side.
    itemsPerSecond = 1000 / last.durationMs;
  }
  const etaSeconds = left === 0 ? 0 : itemsPerSecond ? left / itemsPerSecond : null;
  const asOf = last ? new Date(last.at).toISOString() : null;
  return {
    jobId: job.id,
    itemsDone: job.itemsDone,
    itemsTotal: job.itemsTotal,
    itemsPerSecond,
    etaSeconds,
    asOf,
    expectedAt: last && etaSeconds !== null ? new Date(last.at + etaSeconds * 1000).toISOString() : null,
  };
}
