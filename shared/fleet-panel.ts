// The window's fleet panel (API call `fleet.status`): which queue backend the workbench runs on and, for a Redis
// fleet, its workers and items in progress; for the local queue, its own worker processes and what they run.
import { z } from 'zod';
import { FleetStatusSchema } from './fleet-protocol';

/** An item a local worker process runs now (from the store: items sent to a worker and not committed yet). */
export const LocalRunningItemSchema = z.strictObject({ jobId: z.number().int(), itemKey: z.string(), name: z.string(), startedAt: z.string().nullable() });

export const FleetPanelSchema = z.discriminatedUnion('backend', [
  z.strictObject({
    backend: z.literal('local'),
    /** Engine worker processes one job runs on here (--workers, DIXW_WORKERS). */
    workers: z.number().int().positive(),
    running: z.array(LocalRunningItemSchema),
  }),
  z.strictObject({
    backend: z.literal('redis'),
    queue: z.string(),
    /** This workbench's name in the fleet: items of other coordinators (other databases) share the queue. */
    coordinator: z.string(),
    /** Null when Redis could not be read; `error` says why. */
    status: FleetStatusSchema.nullable(),
    error: z.string().nullable(),
  }),
]);
export type FleetPanel = z.infer<typeof FleetPanelSchema>;

/** What to run on a machine to add it to the fleet at `queue`. */
export function joinFleetCommand(queue: string): string {
  return `dixw worker --queue ${queue}`;
}
