// `dixw worker` runs the queue of its database in the foreground, whether on local worker processes or as a fleet's
// coordinator (the service chooses from its queue option): a line per job and per finished item, until Ctrl-C or
// SIGTERM (the job in progress stays resumable), or until nothing is left with --until-idle.
import type { ServiceEvent } from '../../shared/service-api';
import type { WorkbenchService } from '../service/service';

/** Runs the queue until stopped (or idle); `where` ends the first line, e.g. "on 2 worker processes". */
export async function runQueueInForeground(service: WorkbenchService, where: string, untilIdle: boolean): Promise<void> {
  process.stderr.write(`dixw worker: ${where}${untilIdle ? ' until it is empty' : '; Ctrl-C stops'}\n`);
  const off = service.on(printEvent);
  const runner = service.runJobs();
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await (untilIdle ? Promise.race([runner.whenIdle(), stop]) : stop);
  await runner.stop();
  off();
  process.stderr.write('dixw worker: stopped\n');
}

function printEvent(e: ServiceEvent): void {
  const line = describeEvent(e);
  if (line) console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
}

function describeEvent(e: ServiceEvent): string | null {
  switch (e.type) {
    case 'job-started':
      return `job ${e.jobId}: ${e.resumed ? `resumed at ${e.itemsDone}/${e.itemsTotal}` : `started, ${e.itemsTotal} item(s)`}`;
    case 'item-committed':
      return `job ${e.jobId}: ${e.itemKey} done (${e.itemsDone}/${e.itemsTotal}; ${e.mapsStored} map(s) stored, ${e.mapsReused} reused) in ${Math.round(e.durationMs)} ms`;
    case 'job-stopped':
      return `job ${e.jobId}: ${e.state}${e.error ? `: ${e.error}` : ''}`;
    case 'worker-crashed':
      return `job ${e.jobId}: the worker process died on ${e.itemKey} (attempt ${e.crashes}): ${e.cause}`;
    case 'model-registered':
      return `job ${e.jobId}: registered model ${e.modelId} (${e.path})`;
    case 'log':
      return e.level === 'warn' || e.level === 'error' ? `${e.jobId === null ? '' : `job ${e.jobId}: `}${e.message}` : null;
    case 'error':
      return `error: ${e.message}`;
    default:
      return null;
  }
}
