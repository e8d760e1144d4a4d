import { parse } from '../args';
import { type Command } from '../command';
import { runQueueInForeground } from '../queue-runner';
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
      await runQueueInForeground(service, `running the queue of ${service.storePath} ${where}`, v['until-idle'] === true);
    }, { workers: typeof v.workers === 'string' ? v.workers : 'auto', ...(local ? { queue: 'local' } : {}) });
  },
};
