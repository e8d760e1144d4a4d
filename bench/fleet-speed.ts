// Per-item overhead of the queue itself: a job of N items that compute nothing (bench/noop-executor.ts), run on the
// local SQLite queue (Scheduler, worker processes) and on the Redis fleet (FleetCoordinator + an in-process
// FleetWorker with as many engine processes, on a redis-server started here), with 1 and 2 worker processes.
// Items per second from the job's start to its last commit, worker processes already started (a warm-up job first);
// median of `runs`, side by side in one run. Used by `npm run bench -- --fleet`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQueueBackend } from '../shared/fleet-protocol';
import { FleetCoordinator } from '../main/jobs/fleet/coordinator';
import { FleetWorker } from '../main/jobs/fleet/fleet-worker';
import { enqueueJob } from '../main/jobs/queue';
import { Scheduler } from '../main/jobs/scheduler';
import { openStore, type Store } from '../main/store/store';
import { SKIP_WITHOUT_REDIS, TestRedis } from '../test/fleet/redis-server';

const NOOP = fileURLToPath(new URL('./noop-executor.ts', import.meta.url));
const SPEC = { kind: 'explain', model: 'bench-model', dataset: 'bench-data', methods: ['noop'] } as const;

export interface FleetSpeedRow { queue: 'local' | 'redis'; workers: number; items: number; itemsPerSecond: number; msPerItem: number }

type Runner = Scheduler | FleetCoordinator;

async function runJob(store: Store, runner: Runner, items: number): Promise<number> {
  const job = enqueueJob(store, { spec: SPEC, items: Array.from({ length: items }, (_, i) => ({ key: `n:${i}`, payload: { i } })) });
  const t0 = performance.now();
  runner.wake();
  const done = await runner.waitForJob(job.id);
  if (done.state !== 'done') throw new Error(`bench job ended ${done.state}: ${done.error}`);
  return (performance.now() - t0) / 1000;
}

async function measure(queue: 'local' | 'redis', workers: number, items: number, runs: number, redisUrl: string | null, dir: string): Promise<FleetSpeedRow> {
  const path = join(dir, `${queue}-${workers}.db`);
  const store = openStore({ path });
  let fleetWorker: FleetWorker | null = null;
  let runner: Runner;
  if (queue === 'local') {
    runner = new Scheduler({ store, executorPath: NOOP, pollMs: 20, workers, appVersion: 'bench' });
  } else {
    const q = parseQueueBackend(redisUrl!);
    if (q.kind !== 'redis') throw new Error('redis url expected');
    fleetWorker = new FleetWorker({ queue: q, executorPath: NOOP, lanes: workers });
    await fleetWorker.start();
    runner = new FleetCoordinator({ store, storePath: path, queue: q, pollMs: 20, appVersion: 'bench' });
  }
  try {
    runner.start();
    await runJob(store, runner, 2 * workers); // warm-up: worker processes started
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) seconds.push(await runJob(store, runner, items));
    seconds.sort((a, b) => a - b);
    const median = seconds[Math.floor(seconds.length / 2)]!;
    return { queue, workers, items, itemsPerSecond: items / median, msPerItem: (median * 1000) / items };
  } finally {
    await runner.stop();
    await fleetWorker?.stop();
    store.close();
  }
}

export async function measureFleetSpeed(o: { quick: boolean }): Promise<{ rows: FleetSpeedRow[]; skipped: string | null }> {
  const items = o.quick ? 100 : 300;
  const runs = o.quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'dixw-fleet-bench-'));
  const redis = SKIP_WITHOUT_REDIS ? null : await TestRedis.start();
  try {
    const rows: FleetSpeedRow[] = [];
    for (const workers of [1, 2]) {
      rows.push(await measure('local', workers, items, runs, null, dir));
      if (redis) rows.push(await measure('redis', workers, items, runs, redis.url, dir));
    }
    return { rows, skipped: SKIP_WITHOUT_REDIS || null };
  } finally {
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printFleetSpeed(r: Awaited<ReturnType<typeof measureFleetSpeed>>): void {
  console.log('\nQueue overhead per item (items that compute nothing; worker processes warm; median job):\n');
  console.log('| queue | worker processes | items | items/s | ms per item | vs local, same workers |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of r.rows) {
    const local = r.rows.find((x) => x.queue === 'local' && x.workers === row.workers);
    const ratio = local ? `${(row.msPerItem / local.msPerItem).toFixed(2)}x` : '';
    console.log(`| ${row.queue} | ${row.workers} | ${row.items} | ${row.itemsPerSecond.toFixed(1)} | ${row.msPerItem.toFixed(2)} | ${ratio} |`);
  }
  if (r.skipped) console.log(`\nRedis rows skipped: ${r.skipped}`);
}
