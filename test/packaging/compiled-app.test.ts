// The compiled app as the package lays it out (test/packaging/package-layout.ts: the build plus production
// node_modules, no devDependencies, no TypeScript sources, no tsx): the `dixw` command, jobs through the compiled engine
// worker process, the worker threads of the metrics and the dataset index starting from their compiled entries, and
// web mode serving the built renderer to Chromium. The Electron window itself cannot run here (no Electron binary).
// One build for the whole file; every command runs with the package folder as its working directory.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM, launchBrowser, watchErrors } from '../e2e/browser';
import { buildPackage } from './package-layout';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const THREAD_STARTED = (app: string, entry: string) => `started: ${pathToFileURL(join(app, 'dist/main', entry)).href}`;

let app: string;
let env: NodeJS.ProcessEnv;

before(() => {
  app = buildPackage(ROOT);
  // Nothing from the test's own process may reach the app: no NODE_OPTIONS (tsx's loader), a home of its own.
  env = { ...process.env, DIXW_HOME: join(app, 'home'), DIXW_METRIC_THREADS: '1', NODE_DEBUG: 'dixw-threads' };
  delete env.NODE_OPTIONS;
});

after(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

function dixw(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(app, 'dist/main/dixw.js'), ...args], { cwd: app, env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]): { stdout: string; stderr: string } {
  const r = dixw(args);
  assert.equal(r.status, 0, `dixw ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /worker threads are off/);
  return r;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(app, join(e.parentPath, e.name)));
}

test('the package holds the compiled entries with source maps, the renderer build and production dependencies only', () => {
  const own = filesUnder(join(app, 'dist'));
  assert.deepEqual(own.filter((f) => /\.[cm]?ts$/.test(f)), [], 'no TypeScript in the build');
  for (const entry of ['dixw', 'start', 'electron-main', 'worker-main', 'engine-executor', 'webp-worker', 'dataset-index-worker', 'metrics-summary-worker']) {
    assert.ok(own.includes(`dist/main/${entry}.js`), `${entry}.js`);
    assert.ok(own.includes(`dist/main/${entry}.js.map`), `${entry}.js.map`);
  }
  assert.ok(own.includes('dist/main/preload.cjs'));
  assert.ok(own.includes('dist/renderer/index.html'));
  const modules = readdirSync(join(app, 'node_modules'));
  for (const dev of ['tsx', 'typescript', 'vite', 'esbuild', 'electron-builder', 'svelte', 'playwright-core', 'electron']) {
    assert.ok(!modules.includes(dev), `${dev} is not in the package`);
  }
  for (const prod of ['better-sqlite3', '@tensorflow', '@napi-rs', '@jsquash', 'zod']) assert.ok(modules.includes(prod), `${prod} is in the package`);
  assert.ok(existsSync(join(app, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')));
});

test('dixw --help runs from the compiled CLI', () => {
  const { stdout } = ok(['--help']);
  assert.match(stdout, /^Usage: dixw <command>/m);
  assert.match(stdout, /^ {2}explain /m);
});

test('a train job and an explain job run through the compiled engine worker process on the embedded default dataset', () => {
  ok(['dataset', 'synth', '--out', join(app, 'data'), '--n', '32', '--size', '32', '--seed', '1']);
  const trained = JSON.parse(ok(['train', '--data', join(app, 'data'), '--arch', 'small-cnn', '--epochs', '1', '--out', join(app, 'model'), '--json']).stdout);
  assert.equal(trained.epochs.length, 1);
  assert.ok(existsSync(join(app, 'model/model.json')));
  const explained = JSON.parse(ok(['explain', '--model', join(app, 'model'), '--data', join(app, 'data'), '--methods', 'dix3,gradcam', '--limit', '2',
    '--npy', join(app, 'maps'), '--json']).stdout);
  assert.equal(explained.mapsComputed, 4);
  for (const method of ['dix3', 'gradcam']) assert.equal(filesUnder(join(app, 'maps', method)).filter((f) => f.endsWith('.npy')).length, 2, method);
});

test('the worker threads start from their compiled entries: WebP sizes in the engine worker, the metrics summary, the dataset index', () => {
  const queued = ok(['metrics', '--model', join(app, 'model'), '--data', join(app, 'data'), '--methods', 'gradcam', '--metrics', 'sic', '--limit', '2',
    '--min-probability', '0', '--resamples', '100', '--detach', '--json']);
  const { jobId } = JSON.parse(queued.stdout);
  // The engine worker's stderr (NODE_DEBUG's lines among it) is what `dixw worker` prints as the job's log.
  const worked = ok(['worker', '--until-idle', '--workers', '1']);
  assert.ok(worked.stdout.includes(THREAD_STARTED(app, 'webp-worker.js')), worked.stdout);
  assert.match(worked.stdout, new RegExp(`job ${jobId}: done`));
  assert.doesNotMatch(worked.stdout, /worker threads are off|threads off/);
  const shown = ok(['jobs', 'show', String(jobId)]);
  assert.ok(shown.stderr.includes(THREAD_STARTED(app, 'metrics-summary-worker.js')), shown.stderr);
  cpSync(join(app, 'data'), join(app, 'data-copy'), { recursive: true });
  const added = ok(['dataset', 'add', join(app, 'data-copy')]);
  assert.ok(added.stderr.includes(THREAD_STARTED(app, 'dataset-index-worker.js')), added.stderr);
});

test('npm start\'s compiled entry falls back to web mode (no Electron here), which serves the built renderer to Chromium', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, async () => {
  // dist/main/start.js is what `npm start` runs after building: Electron is not in the package, so it starts the
  // compiled `dixw serve` with its arguments.
  const serve = spawn(process.execPath, [join(app, 'dist/main/start.js'), '--port', '0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const saidWebMode = new Promise<void>((resolve) => {
    let stderr = '';
    serve.stderr?.on('data', (c) => {
      stderr += c;
      if (/Electron is not available here .* runs in web mode/.test(stderr)) resolve();
    });
  });
  try {
    const url = await printedUrl(serve);
    await saidWebMode;
    const context = await launchBrowser();
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors = watchErrors(page);
      const index = await page.goto(url);
      assert.equal(index?.status(), 200);
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      // The datasets registered by the commands above, listed through the packaged service.
      await page.getByRole('cell', { name: 'circle, cross, square, triangle' }).first().waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  } finally {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
});

/** The URL `dixw serve` prints once it listens. */
function printedUrl(child: ChildProcess): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c) => {
      stdout += c;
      const m = /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m.exec(stdout);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`dixw serve exited (${code}) before printing its URL:\n${stdout}\n${stderr}`)));
  });
}
