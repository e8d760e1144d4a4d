// The app as electron-builder lays it out, in a temporary folder: package.json, the build (dist/main, dist/renderer)
// and the production dependencies only, computed from package-lock.json (no devDependencies: no tsx, TypeScript, Vite
// or esbuild), without electron, which electron-builder.yml leaves out too. No TypeScript source is on any path.
// The packages are hard-linked copies (same file system) or plain copies, never symlinks: a symlinked package would
// resolve its own imports from the checkout's node_modules, where the devDependencies are.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

interface LockEntry {
  dev?: boolean;
}

/** Packages electron-builder.yml excludes from the app (see its files list). */
const LEFT_OUT = new Set(['electron']);

/** Top-level packages of node_modules that a production install has: not dev-only, present here, not left out. */
export function productionPackages(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const names: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || path.includes('/node_modules/', 'node_modules/'.length)) continue;
    const name = path.slice('node_modules/'.length);
    if (entry.dev || LEFT_OUT.has(name)) continue;
    // Optional packages that could not install here (tfjs-node, platform binaries of other systems) are absent.
    if (existsSync(join(root, path))) names.push(name);
  }
  return names.sort();
}

function copyTree(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const linked = spawnSync('cp', ['-a', '--link', from, to]);
  if (linked.status !== 0) cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

/**
 * Builds the app into a new temporary folder and lays it out there; returns its path. The two build commands are
 * `npm run build`'s, with the output folders moved: the checkout's own dist/ is left alone (other tests serve it).
 */
export function buildPackage(root: string): string {
  const app = mkdtempSync(join(tmpdir(), 'dixw-package-'));
  try {
    run(root, [join(root, 'scripts/build-main.mjs'), '--out', join(app, 'dist/main')]);
    run(root, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', join(app, 'dist/renderer'), '--emptyOutDir', '--logLevel', 'error']);
    copyTree(join(root, 'package.json'), join(app, 'package.json'));
    for (const name of productionPackages(root)) copyTree(join(root, 'node_modules', name), join(app, 'node_modules', name));
    return app;
  } catch (e) {
    rmSync(app, { recursive: true, force: true });
    throw e;
  }
}

function run(cwd: string, args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
}
