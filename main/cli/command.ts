// What every dixw subcommand is: a name, a one-line summary, its --help text, and a run function.
import { createRequire } from 'node:module';
import { initBackend, parseBackendName } from '../engine/backend/select-backend';
import type { BackendInfo } from '../../shared/provenance';

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<void>;
}

export const APP_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export const BACKEND_OPTION = { backend: { type: 'string' } } as const;
export const BACKEND_HELP = '  --backend NAME      force a compute backend: tensorflow-gpu, tensorflow, wasm, cpu (or set DIXW_BACKEND)';

/** Starts the backend (forced by --backend, else the best available) and says which on stderr. */
export async function startBackend(v: Record<string, unknown>, quiet = false): Promise<BackendInfo> {
  const forced = typeof v.backend === 'string' ? parseBackendName(v.backend) : null;
  const info = await initBackend(forced);
  if (!quiet) process.stderr.write(`backend: ${info.name} ${info.version} (${info.detail})\n`);
  return info;
}

export function printJson(x: unknown): void {
  process.stdout.write(JSON.stringify(x, null, 2) + '\n');
}
