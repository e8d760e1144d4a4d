// What every dixw subcommand is: its --help text and a run function. Names and one-line summaries live in
// main.ts, which loads a command's module only when it runs, so `dixw jobs list` never loads TF.js.
import { createRequire } from 'node:module';
import type { BackendInfo } from '../../shared/provenance';

export interface Command {
  help: string;
  run(argv: string[]): Promise<void>;
}

export const APP_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export const BACKEND_OPTION = { backend: { type: 'string' } } as const;
export const BACKEND_HELP = '  --backend NAME      force a compute backend: tensorflow-gpu, webgpu, tensorflow, wasm, cpu (or set DIXW_BACKEND)';

/** Starts the backend in this process (forced by --backend, else the best available) and says which on stderr. */
export async function startBackend(v: Record<string, unknown>, quiet = false): Promise<BackendInfo> {
  const { initBackend, parseBackendName } = await import('../engine/backend/select-backend');
  const forced = typeof v.backend === 'string' ? parseBackendName(v.backend) : null;
  const info = await initBackend(forced);
  if (!quiet) process.stderr.write(`backend: ${info.name} ${info.version} (${info.detail})\n`);
  return info;
}

export function printJson(x: unknown): void {
  process.stdout.write(JSON.stringify(x, null, 2) + '\n');
}

/** Ends the command with this exit status after printing `message` (not an error: e.g. an interrupted job). */
export class CliExit extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
