// `dixw worker --queue redis://HOST:PORT`: this machine joins a fleet and runs items for any coordinator; with
// --coordinator it is the coordinator instead (the one process that commits to its database).
import { resolve } from 'node:path';
import { parse } from '../args';
import { type Command } from '../command';
import { runQueueInForeground } from '../queue-runner';
import { DB_HELP, DB_OPTION, withService } from '../service-access';

export const FLEET_WORKER_HELP = `Usage: dixw worker --queue redis://HOST:PORT [--workers N] [--backend NAME] [--visibility SECONDS] [--cache DIR]
       dixw worker --queue redis://HOST:PORT --coordinator [--db PATH] [--until-idle] [--blob-host ADDR] [--blob-port N]

A fleet of workers shares jobs through Redis (BullMQ). Any number of machines run
"dixw worker --queue redis://HOST:PORT": each takes items from the shared queue, runs them on its own engine worker
processes on its best backend, and sends the results back. One coordinator commits them to its database: the app or
"dixw serve" with DIXW_QUEUE=redis://HOST:PORT, or "dixw worker --queue ... --coordinator".

Models and datasets are read at the path the coordinator registered them under (a shared or copied folder) when the
files there have the registered content hashes. Otherwise the worker fetches them by content hash from the
coordinator's file server, verifies every hash (a file or model that differs is refused: the item fails, saying so)
and keeps them in --cache for later jobs: models whole, datasets file by file as items need them, or whole for a
train job (and a sanity job with --train), which trains from the verified copy. A model trained here (in --cache) is
uploaded to the coordinator, which writes it at the job's --out (or --train-out) only when its content hash matches
the one reported (never over a different model without --force); the item's result is sent after that, and a
refused upload fails the item, saying why and where the model stays here. The later items of a sanity job find its
trained pair by content hash, on any worker. A fetch or upload that fails on the network is tried again after 0.5, 1
and 2 s; a refusal or a hash that differs is not. The file server listens on 127.0.0.1 unless --blob-host says
otherwise (a worker on another machine needs e.g. --blob-host 0.0.0.0; requests must carry the token the
coordinator advertises in Redis).
  --queue URL         the fleet's Redis, redis://HOST:PORT[/DB]
  --workers N|auto    engine worker processes on this machine (default auto: every core on CPU backends, one per GPU)
  --backend NAME      force the engine's backend on this machine (as DIXW_BACKEND)
  --visibility S      seconds after which the item of a worker that went silent (died, lost the network) is given
                      to another worker (default 30; the lock is renewed every S/2 while the worker lives)
  --cache DIR         where fetched models, dataset files and whole datasets are kept by content hash (default:
                      $DIXW_CACHE_DIR/fleet, else ~/.cache/dix-workbench/fleet)
  --coordinator       coordinate instead: publish the queued jobs of --db to the fleet and commit their results
  --until-idle        with --coordinator: exit once there is nothing left to run
  --blob-host ADDR    with --coordinator: the address the file server listens on (default 127.0.0.1, this machine
                      only; 0.0.0.0 for every interface; as DIXW_BLOB_HOST for the app and "dixw serve")
  --blob-port N       with --coordinator: its port (default any free one; as DIXW_BLOB_PORT)
${DB_HELP}

Example: dixw worker --queue redis://lab-server:6379 --workers 4
         dixw worker --queue redis://lab-server:6379 --coordinator --blob-host 0.0.0.0`;

export const fleetWorkerCommand: Command = {
  help: FLEET_WORKER_HELP,
  async run(argv) {
    const v = parse('worker', argv, { ...DB_OPTION, queue: { type: 'string' }, workers: { type: 'string' }, backend: { type: 'string' },
      visibility: { type: 'string' }, coordinator: { type: 'boolean' }, 'until-idle': { type: 'boolean' }, cache: { type: 'string' },
      'blob-host': { type: 'string' }, 'blob-port': { type: 'string' } });
    if (v.help) return void console.log(this.help);
    const queue = typeof v.queue === 'string' ? v.queue : 'local';
    const { UserError } = await import('../../engine/errors');
    if (v.coordinator) {
      if (typeof v.cache === 'string') throw new UserError('--cache belongs to a fleet worker; the coordinator serves its own files.', 'Leave --cache out, or --coordinator.');
      return coordinate(v, queue);
    }
    if (typeof v.db === 'string' || v['until-idle'] || typeof v['blob-host'] === 'string' || typeof v['blob-port'] === 'string') {
      throw new UserError('--db, --until-idle, --blob-host and --blob-port belong to the coordinator; a fleet worker has no database and serves no files.', 'Add --coordinator, or leave them out.');
    }
    const visibility = v.visibility === undefined ? 30 : Number(v.visibility);
    if (!Number.isFinite(visibility) || visibility < 1) throw new UserError(`--visibility ${String(v.visibility)} is not a number of seconds (1 or more).`, 'Give e.g. --visibility 30.');
    if (typeof v.backend === 'string') process.env.DIXW_BACKEND = v.backend; // the engine processes inherit it
    const { startFleetWorker, fleetWorkerLanes } = await import('../../service/fleet');
    const lanes = fleetWorkerLanes(typeof v.workers === 'string' ? v.workers : undefined);
    const worker = await startFleetWorker({ queue, lanes, visibilityMs: visibility * 1000, ...(typeof v.cache === 'string' ? { cacheDir: resolve(v.cache) } : {}) });
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
  // The service makes the coordinator; like --backend for the engine, the flags reach it through the environment.
  if (typeof v['blob-host'] === 'string') process.env.DIXW_BLOB_HOST = v['blob-host'];
  if (typeof v['blob-port'] === 'string') {
    const port = Number(v['blob-port']);
    const { UserError } = await import('../../engine/errors');
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`--blob-port ${v['blob-port']} is not a port number (1 to 65535).`, 'Give e.g. --blob-port 8765, or leave it out for any free port.');
    process.env.DIXW_BLOB_PORT = String(port);
  }
  const { checkFleetQueue } = await import('../../service/fleet');
  await checkFleetQueue(queue);
  await withService(v, (service) => runQueueInForeground(service, `coordinating the queue of ${service.storePath} through ${queue}`, v['until-idle'] === true), { queue });
}
