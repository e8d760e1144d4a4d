// `npm run bench -- --startup`: how long the compiled output (npm run build: dist/main) takes to start, beside the
// development path that compiles the TypeScript sources through tsx on every start (bin/dixw.js). Each figure is the
// median wall time over several runs of a fresh process: `dixw --help`, `dixw methods` (loads the method registry and
// TF.js), and web mode (`dixw serve`) from launch until it prints its URL.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PATHS = { tsx: join(ROOT, 'bin/dixw.js'), compiled: join(ROOT, 'dist/main/dixw.js') } as const;

export interface StartupRow {
  what: string;
  tsxMs: number;
  compiledMs: number;
}

/** Compiles dist/main afresh (and the renderer if it was never built), so the comparison is with the current sources. */
async function build(): Promise<void> {
  await runToEnd([join(ROOT, 'scripts/build-main.mjs')]);
  if (!existsSync(join(ROOT, 'dist/renderer/index.html'))) await runToEnd([join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error']);
}

function runToEnd(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`node ${args.join(' ')} exited with ${code}`))));
  });
}

/** Milliseconds from launch until `dixw serve` prints its URL (then it is stopped). */
function serveReady(cli: string, db: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let readyMs: number | null = null;
    child.stdout.on('data', (c) => {
      out += c;
      if (readyMs !== null || !/^http:\/\/127\.0\.0\.1:\d+\//m.test(out)) return;
      readyMs = performance.now() - t0;
      child.kill('SIGTERM');
    });
    // Resolved once it has stopped, so that the next run does not overlap it.
    child.once('exit', (code) => (readyMs !== null ? resolve(readyMs) : reject(new Error(`dixw serve exited (${code}) before printing its URL`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureStartup(runs: number): Promise<StartupRow[]> {
  await build();
  const dir = mkdtempSync(join(tmpdir(), 'dixw-bench-startup-'));
  try {
    const cases: Array<[string, (cli: string) => Promise<number>]> = [
      ['dixw --help', (cli) => runToEnd([cli, '--help'])],
      ['dixw methods', (cli) => runToEnd([cli, 'methods'])],
      ['web mode (dixw serve) until its URL', (cli) => serveReady(cli, join(dir, 'wb.db'))],
    ];
    const rows: StartupRow[] = [];
    for (const [what, once] of cases) {
      const times: Record<keyof typeof PATHS, number[]> = { tsx: [], compiled: [] };
      // Alternating the two paths, so that a slow spell of the machine falls on both.
      for (let i = 0; i < runs; i++) for (const path of ['tsx', 'compiled'] as const) times[path].push(await once(PATHS[path]));
      rows.push({ what, tsxMs: median(times.tsx), compiledMs: median(times.compiled) });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printStartup(rows: StartupRow[], runs: number): void {
  console.log(`\nStartup, median of ${runs} fresh processes (ms): sources through tsx (bin/dixw.js) vs compiled (dist/main/dixw.js)`);
  console.log('| what | tsx | compiled | tsx / compiled |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${r.tsxMs.toFixed(0)} | ${r.compiledMs.toFixed(0)} | ${(r.tsxMs / r.compiledMs).toFixed(2)}x |`);
}
