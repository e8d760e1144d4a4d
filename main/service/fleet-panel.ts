// The window's fleet panel (API call `fleet.status`): on the local queue, this service's own worker processes and
// the items they run; on a Redis fleet, the fleet's status as `dixw fleet status` reads it, or why Redis could not
// be read (the panel keeps polling, so it says so instead of failing the call).
import { FleetPanelSchema, type FleetPanel } from '../../shared/fleet-panel';
import { parseWorkerCount } from '../jobs/worker-count';
import { findItem, listItems } from '../store/items-repo';
import { listJobs } from '../store/jobs-repo';
import { itemName } from './item-names';
import type { WorkbenchService } from './service';

/** Items of the running jobs listed at most. */
const RUNNING_SHOWN = 100;

export async function fleetPanel(service: WorkbenchService): Promise<FleetPanel> {
  const queue = service.queue;
  if (queue.kind === 'local') {
    const running = listJobs(service.store, { states: ['running'] }).flatMap((job) =>
      listItems(service.store, job.id, { state: 'running', limit: RUNNING_SHOWN }).map((i) => ({ jobId: job.id, itemKey: i.key, name: itemName(i.key, i.payload), startedAt: i.startedAt })));
    // The scheduler's own default (main/jobs/scheduler.ts): --workers, else DIXW_WORKERS, else one process.
    const workers = service.workers ?? parseWorkerCount(process.env.DIXW_WORKERS, 'DIXW_WORKERS') ?? 1;
    return FleetPanelSchema.parse({ backend: 'local', workers, running: running.slice(0, RUNNING_SHOWN) });
  }
  const [{ readFleetStatus }, { coordinatorName }] = await Promise.all([import('../jobs/fleet/fleet-status'), import('../jobs/fleet/fleet-names')]);
  const coordinator = coordinatorName(service.storePath);
  let status = null;
  let error = null;
  try {
    status = await readFleetStatus(queue, { attempts: 1 });
    // Items of this workbench's jobs are named as the Queue view names them (the image's path, not "image:17").
    for (const a of status.active) {
      const item = a.coordinator === coordinator ? findItem(service.store, a.jobId, a.itemKey) : undefined;
      if (item) a.name = itemName(item.key, item.payload);
    }
  } catch (err) {
    error = (err as Error).message;
  }
  return FleetPanelSchema.parse({ backend: 'redis', queue: queue.url, coordinator, status, error });
}
