// Web mode as one unit: the service over the database, its job runner with a real worker process, and the HTTP
// server on 127.0.0.1 with a fresh token. `dixw serve` and `npm start` (without Electron) start it; tests too.
import { WorkbenchApi } from '../service/api-handlers';
import { openService } from '../service/index';
import { newAccessToken } from './access-token';
import { startWebServer } from './http-server';
import { rendererDir } from './renderer-build';

export interface WebModeOptions {
  dbPath?: string;
  /** 0 = any free port. */
  port?: number;
  /** A built renderer; default dist/renderer, built on first use. */
  rendererDir?: string;
  /** How often the job runner looks at the queue (ms). */
  pollMs?: number;
  /** The queue backend, local or redis://HOST:PORT (default: $DIXW_QUEUE, else local). */
  queue?: string;
  log?: (line: string) => void;
}

export interface WebMode {
  url: string;
  port: number;
  dbPath: string;
  /** Stops the server and the runner (a running job stays resumable) and closes the database. */
  close(): Promise<void>;
}

export async function startWebMode(options: WebModeOptions = {}): Promise<WebMode> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const dir = await rendererDir(options.rendererDir, log);
  const service = openService({ dbPath: options.dbPath, queue: options.queue });
  try {
    service.runJobs({ pollMs: options.pollMs });
    const web = await startWebServer({ api: new WorkbenchApi(service, { mode: 'web' }), token: newAccessToken(), rendererDir: dir, port: options.port ?? 0, log });
    let closing: Promise<void> | null = null;
    return {
      url: web.url,
      port: web.port,
      dbPath: service.storePath,
      close: () => (closing ??= web.close().then(() => service.close())),
    };
  } catch (err) {
    await service.close();
    throw err;
  }
}
