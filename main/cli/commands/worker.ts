import type { ServiceEvent } from '../../../shared/service-api';
import { parse } from '../args';
import { type Command } from '../command';
import { DB_HELP, DB_OPTION, withService } from '../service-access';

export const workerCommand: Command = {
  help: `Usage: dixw worker [--until-idle] [--workers N]

Runs queued jobs (from "explain --detach", "train --detach", "jobs submit", or left unfinished by a command or an
app that was stopped or killed) in priority then queue order, one job at a time, its items on N worker processes at
once, until interrupted (Ctrl-C or SIGTERM: the job in progress stays resumable). A job whose runner died resumes
at its first uncommitted item. Prints a line per job and per finished item.
  --until-idle        exit once there is nothing left to run
  --queue URL         a fleet instead of local worker processes: redis://HOST:PORT (see dixw worker --queue URL --help)
  --workers N|auto    worker processes per job (default auto: every core on CPU backends, divided by
                      DIXW_WASM_THREADS; one on tensorflow-gpu; or DIXW_WORKERS). Train jobs always use one.
${DB_HELP}

Example: dixw worker --db ~/experiments/workbench.db`,
  async run(argv) {
    // A fleet (redis://) worker or coordinator is its own command (main/cli/commands/fleet-worker.ts).
    const queue = argv.findIndex((a) => a === '--queue' || a.startsWith('--queue='));
    const local = queue >= 0 && (argv[queue] === '--queue=local' || (argv[queue] === '--queue' && argv[queue + 1] === 'local'));
    if (queue >= 0 && !local) return (await import('./fleet-worker')).fleetWorkerCommand.run(argv);
    if (local) argv = argv.filter((_, i) => i !== queue && !(argv[queue] === '--queue' && i === queue + 1));
    const v = parse('worker', argv, { ...DB_OPTION, 'until-idle': { type: 'boolean' }, workers: { type: 'string' } });
    if (v.help) return void console.log(this.help);
    await withService(v, async (service) => {
      const workers = service.workers ?? 1;
      const where = service.queue.kind === 'redis' ? `through the fleet at ${service.queue.url} (DIXW_QUEUE)` : `on ${workers} worker process${workers === 1 ? '' : 'es'}`;
      process.stderr.write(`dixw worker: running the queue of ${service.storePath} ${where}${v['until-idle'] ? ' until it is empty' : '; Ctrl-C stops'}\n`);
      const off = service.on(printEvent);
      const runner = service.runJobs();
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await (v['until-idle'] ? Promise.race([runner.whenIdle(), stop]) : stop);
      await runner.stop();
      off();
      process.stderr.write('dixw worker: stopped\n');
    }, { workers: typeof v.workers === 'string' ? v.workers : 'auto', ...(local ? { queue: 'local' } : {}) });
  },
};

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
