// `dixw worker --queue redis://HOST:PORT`: this machine joins a fleet and runs items for any coordinator; with
// --coordinator it is the coordinator instead (the one process that commits to its database).
import { parse } from '../args';
import { type Command } from '../command';
import { runQueueInForeground } from '../queue-runner';
import { DB_HELP, DB_OPTION, withService } from '../service-access';

export const FLEET_WORKER_HELP = `Usage: dixw worker --queue redis://HOST:PORT [--workers N] [--backend NAME] [--visibility SECONDS]
       dixw worker --queue redis://HOST:PORT --coordinator [--db PATH] [--until-idle]

A fleet of workers shares jobs through Redis (BullMQ). Any number of machines run
"dixw worker --queue redis://HOST:PORT": each takes items from the shared queue, runs them on its own engine worker
processes on its best backend, and sends the results back. One coordinator commits them to its database: the app or
"dixw serve" with DIXW_QUEUE=redis://HOST:PORT, or "dixw worker --queue ... --coordinator". Models and datasets are
read at the path the coordinator registered them under (a shared or copied folder); the content hashes are checked,
and an item whose model or image differs there fails the job with what differs and where.
  --queue URL         the fleet's Redis, redis://HOST:PORT[/DB]
  --workers N|auto    engine worker processes on this machine (default auto: every core on CPU backends, one per GPU)
  --backend NAME      force the engine's backend on this machine (as DIXW_BACKEND)
  --visibility S      seconds after which the item of a worker that went silent (died, lost the network) is given
                      to another worker (default 30; the lock is renewed every S/2 while the worker lives)
  --coordinator       coordinate instead: publish the queued jobs of --db to the fleet and commit their results
  --until-idle        with --coordinator: exit once there is nothing left to run
${DB_HELP}

Example: dixw worker --queue redis://lab-server:6379 --workers 4`;

export const fleetWorkerCommand: Command = {
  help: FLEET_WORKER_HELP,
  async run(argv) {
    const v = parse('worker', argv, { ...DB_OPTION, queue: { type: 'string' }, workers: { type: 'string' }, backend: { type: 'string' },
      visibility: { type: 'string' }, coordinator: { type: 'boolean' }, 'until-idle': { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const queue = typeof v.queue === 'string' ? v.queue : 'local';
    if (v.coordinator) return coordinate(v, queue);
    const { UserError } = await import('../../engine/errors');
    if (typeof v.db === 'string' || v['until-idle']) throw new UserError('--db and --until-idle belong to the coordinator; a fleet worker has no database.', 'Add --coordinator, or leave them out.');
    const visibility = v.visibility === undefined ? 30 : Number(v.visibility);
    if (!Number.isFinite(visibility) || visibility < 1) throw new UserError(`--visibility ${String(v.visibility)} is not a number of seconds (1 or more).`, 'Give e.g. --visibility 30.');
    if (typeof v.backend === 'string') process.env.DIXW_BACKEND = v.backend; // the engine processes inherit it
    const { startFleetWorker, fleetWorkerLanes } = await import('../../service/fleet');
    const lanes = fleetWorkerLanes(typeof v.workers === 'string' ? v.workers : undefined);
    const worker = await startFleetWorker({ queue, lanes, visibilityMs: visibility * 1000 });
    process.stderr.write(`dixw worker: fleet worker ${worker.id} takes items from ${queue} on ${lanes} engine process${lanes === 1 ? '' : 'es'}; Ctrl-C stops\n`);
    worker.on((e) => {
      const stamp = new Date().toISOString().slice(11, 19);
      if (e.type === 'item-finished') console.log(`${stamp} job ${e.jobId}: ${e.itemKey} ${e.outcome}${e.note ? `: ${e.note}` : ''}`);
      else if (e.type === 'log') console.log(`${stamp} ${e.message}`);
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.stop();
    process.stderr.write('dixw worker: stopped (items in progress go to other workers after the visibility timeout)\n');
  },
};

async function coordinate(v: Record<string, unknown>, queue: string): Promise<void> {
  // Refused at once when nothing answers (a running coordinator waits for a Redis that restarts).
  const { checkFleetQueue } = await import('../../service/fleet');
  await checkFleetQueue(queue);
  await withService(v, (service) => runQueueInForeground(service, `coordinating the queue of ${service.storePath} through ${queue}`, v['until-idle'] === true), { queue });
}
