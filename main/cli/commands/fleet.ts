// `dixw fleet status --queue redis://...`: the fleet's workers (id, host, backend, items done, items per second)
// and the shared items queue.
import { parse } from '../args';
import { printJson, type Command } from '../command';

export const fleetCommand: Command = {
  help: `Usage: dixw fleet status --queue redis://HOST:PORT [--json]

The fleet of "dixw worker --queue" processes sharing that Redis: each worker's id, host, backend (known after its
first item), engine processes, items busy and done, items per second over the last minute, the age of its last
heartbeat and whether it is alive (a worker silent for 6 s is shown as gone); then the items waiting, in progress
and failed in the shared queue, and each item in progress with its job, progress and start. The window shows the
same under Queue (Workers) while "dixw serve --queue redis://..." or the app coordinates the fleet.
  --queue URL   the fleet's Redis (default: $DIXW_QUEUE)
  --json        the same as JSON on stdout

Example: dixw fleet status --queue redis://lab-server:6379`,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === undefined) return void console.log(this.help);
    const { UserError } = await import('../../engine/errors');
    if (sub !== 'status') throw new UserError(`unknown fleet command "${sub}".`, 'The fleet command is "dixw fleet status --queue redis://HOST:PORT".');
    const v = parse('fleet status', rest, { queue: { type: 'string' }, json: { type: 'boolean' } });
    if (v.help) return void console.log(this.help);
    const queue = typeof v.queue === 'string' ? v.queue : process.env.DIXW_QUEUE;
    if (!queue) throw new UserError('no queue given.', 'Give --queue redis://HOST:PORT (or set DIXW_QUEUE).');
    const { fleetStatus } = await import('../../service/fleet');
    const status = await fleetStatus(queue);
    if (v.json) return printJson(status);
    console.log(`fleet at ${status.queue}: ${status.workers.filter((w) => w.alive).length} worker(s) alive, ${status.itemsDone} item(s) done, ${status.itemsPerSecond.toFixed(2)} items/s`);
    if (status.workers.length > 0) {
      const rows = status.workers.map((w) => [w.id, w.host, w.backend ?? '(no item yet)', String(w.lanes), String(w.busy), String(w.itemsDone), w.itemsPerSecond.toFixed(2),
        `${(w.heartbeatAgeMs / 1000).toFixed(1)} s ago`, w.alive ? 'alive' : `gone since ${w.lastSeenAt}`]);
      const head = ['worker', 'host', 'backend', 'processes', 'busy', 'done', 'items/s', 'heartbeat', 'state'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    }
    console.log(`items in the queue: ${status.items.waiting} waiting, ${status.items.active} in progress, ${status.items.failed} failed`);
    for (const a of status.active) {
      const progress = a.fraction === null ? '' : ` ${Math.floor(a.fraction * 100)}%`;
      console.log(`  job ${a.jobId} (coordinator ${a.coordinator}): ${a.itemKey}${progress}${a.worker ? ` on ${a.worker}` : ''}${a.startedAt ? ` since ${a.startedAt}` : ''}`);
    }
  },
};
