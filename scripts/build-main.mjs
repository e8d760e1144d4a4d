// `npm run build:main` (part of `npm run build`): compiles everything that runs in Node -- the Electron main process and
// its preload, `npm start`, the CLI, the engine worker process and its executor, the worker-thread entries -- to
// JavaScript in dist/main/, with source maps. The renderer is built by Vite into dist/renderer/ as before.
//
// esbuild, because it is already installed (tsx and Vite run on it), compiles this tree in well under a second, and
// needs no more than this file: ESM bundles with shared chunks, so that one process never loads a module twice.
// Packages stay external (resolved from node_modules at run time, as from sources): tfjs-backend-wasm and
// @jsquash/webp find their .wasm files beside their own code, and the native modules load from their own folders.
//
// Layout: every entry and every chunk in one flat folder, dist/main/. Code that hands a file to a process or a thread
// (shared/entry-url.ts) finds the entry as a sibling, whichever chunk it landed in; and dist/main/ is two levels below
// the project folder, as main/<layer>/ is, so '../../package.json' and the renderer's dist/renderer/ resolve alike.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
export const OUT_DIR = `${root}dist/main`;

/** Output name (without .js) -> source. Each name is its source file's, as shared/entry-url.ts expects. */
export const ENTRIES = {
  dixw: 'main/cli/dixw.ts',
  start: 'main/app/start.ts',
  'electron-main': 'main/app/electron-main.ts',
  'worker-main': 'main/jobs/worker-main.ts',
  'engine-executor': 'main/jobs/engine-executor.ts',
  'webp-worker': 'main/engine/metrics/webp-worker.ts',
  'dataset-index-worker': 'main/jobs/dataset-index-worker.ts',
  'metrics-summary-worker': 'main/jobs/metrics-summary-worker.ts',
};

/** Builds into `outDir` (default dist/main; the packaging test builds into its own folder), emptied first. */
export async function buildMain(outDir = OUT_DIR) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(ENTRIES).map(([out, src]) => ({ in: src, out })),
    outdir: outDir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  if (result.errors.length) throw new Error('esbuild failed');
  // The sandboxed preload is plain CommonJS already (it may require nothing but electron): copied as it is.
  copyFileSync(`${root}main/app/preload.cjs`, `${outDir}/preload.cjs`);
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = await buildMain(values.out ? resolve(values.out) : OUT_DIR);
  console.log(`compiled ${Object.keys(ENTRIES).length} entries to ${out}`);
}
