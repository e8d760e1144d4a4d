// Where web mode finds the built renderer, and building it on first use: `npm run build:renderer` writes
// dist/renderer; a checkout that never ran it gets it built by the first `dixw serve` (Vite, a few seconds).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_RENDERER_DIR = join(REPO_ROOT, 'dist', 'renderer');
export const VITE_CONFIG = join(REPO_ROOT, 'vite.config.ts');

export function isRendererBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

/** Builds the renderer with the project's vite.config.ts into `outDir` (default dist/renderer). */
export async function buildRenderer(outDir = DEFAULT_RENDERER_DIR): Promise<string> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(`The renderer is not built (${outDir}) and Vite is not installed to build it; run "npm install" then "npm run build:renderer".`);
  }
  await vite.build({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** The renderer folder to serve: the given one, else dist/renderer, built now if missing. */
export async function rendererDir(given: string | undefined, log: (line: string) => void): Promise<string> {
  if (given) {
    if (!isRendererBuilt(given)) throw new Error(`${given} has no index.html; build the renderer there first (npm run build:renderer).`);
    return given;
  }
  if (!isRendererBuilt(DEFAULT_RENDERER_DIR)) {
    log(`building the renderer into ${DEFAULT_RENDERER_DIR} (first run)...`);
    await buildRenderer(DEFAULT_RENDERER_DIR);
  }
  return DEFAULT_RENDERER_DIR;
}
