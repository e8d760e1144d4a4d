// Job throughput of `dixw explain` (a real job: worker processes, commits to SQLite) with 1 and 2 worker processes
// per job, and with 1 worker on 2 wasm threads: images per second over the whole job (worker start and model load
// included) and the median time of one image inside it (the latency an interactive explain sees). Each
// configuration runs in a fresh database, so nothing is reused. Beside them, the machine's own ceiling for two
// processes (bench/parallel-ceiling.ts). Used by `npm run bench -- --torch` and `--throughput`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../main/engine/backend/select-backend';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { saveLayersModel } from '../main/engine/model/model-io';
import { measureParallelCeiling, type CeilingResult } from './parallel-ceiling';

const DIXW = fileURLToPath(new URL('../bin/dixw.js', import.meta.url));

export interface ThroughputRow { config: string; workers: number; threads: number; images: number; seconds: number; imagesPerSecond: number; medianImageMs: number }

export interface ThroughputResult { method: string; model: string; rows: ThroughputRow[]; ceiling: CeilingResult }

export async function measureThroughput(o: { quick: boolean; method?: string; size?: number }): Promise<ThroughputResult> {
  const method = o.method ?? 'ig';
  const size = o.size ?? 64;
  const images = o.quick ? 12 : 24;
  const dir = mkdtempSync(join(tmpdir(), 'dixw-throughput-'));
  try {
    await initBackend('wasm');
    const model = join(dir, 'model');
    await saveLayersModel(buildArchitecture('vgg16', { inputShape: [size, size, 3], numClasses: 4, width: 1, seed: 1 }), model);
    const data = join(dir, 'data');
    execFileSync(process.execPath, [DIXW, 'dataset', 'synth', '--out', data, '--n', String(images), '--size', String(size), '--classes', '4', '--seed', '1'], { stdio: 'ignore' });
    const configs = [
      { config: '1 worker, 1 thread', workers: 1, threads: 1 },
      { config: '2 workers, 1 thread each', workers: 2, threads: 1 },
      { config: '1 worker, 2 wasm threads', workers: 1, threads: 2 },
    ];
    const rows: ThroughputRow[] = [];
    for (const c of configs) {
      const db = join(dir, `${c.workers}w${c.threads}t.db`);
      const out = execFileSync(process.execPath, [DIXW, 'explain', '--model', model, '--data', data, '--methods', method, '--db', db, '--json', '--backend', 'wasm'], {
        encoding: 'utf8', env: { ...process.env, DIXW_WORKERS: String(c.workers), DIXW_WASM_THREADS: String(c.threads) }, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000,
      });
      const s = JSON.parse(out) as { seconds: number; images: unknown[]; medianMillis: Record<string, number> };
      rows.push({ ...c, images: s.images.length, seconds: s.seconds, imagesPerSecond: s.images.length / s.seconds, medianImageMs: s.medianMillis[method] });
    }
    const ceiling = await measureParallelCeiling({ quick: o.quick, size });
    return { method, model: `vgg16 ${size}x${size} (width 1)`, rows, ceiling };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printThroughput(r: ThroughputResult): void {
  const base = r.rows[0]?.imagesPerSecond ?? NaN;
  console.log(`\nJob throughput, dixw explain --methods ${r.method} on ${r.model}, wasm, whole job (worker start and model load included):\n`);
  console.log('| configuration | images | job s | images/s | vs 1 worker | median ms per image |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of r.rows) {
    console.log(`| ${row.config} | ${row.images} | ${row.seconds.toFixed(1)} | ${row.imagesPerSecond.toFixed(2)} | ${(row.imagesPerSecond / base).toFixed(2)}x | ${row.medianImageMs.toFixed(0)} |`);
  }
  // Steady state: a worker's images per second is 1 / its median image time, so 2 workers give 2 x m1 / m2.
  const one = r.rows.find((x) => x.workers === 1 && x.threads === 1);
  const two = r.rows.find((x) => x.workers === 2);
  if (one && two) console.log(`\nSteady state (from the median image times): 2 workers ${((2 * one.medianImageMs) / two.medianImageMs).toFixed(2)}x one worker.`);
  const c = r.ceiling;
  console.log(`Machine ceiling: the same IG work in 2 processes at once against 1 alone (median of ${c.rounds} alternating rounds): `
    + `alone ${c.aloneMs.toFixed(0)} ms, pair ${c.pairMs.toFixed(0)} ms, ceiling ${c.ceiling.toFixed(2)}x.`);
}
