// `dixw serve` as a real child process, as a user starts it: the URL read from its stdout, stopped with a signal.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawnCli } from '../helpers/run-cli';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM (a clean stop) or SIGKILL (a crash); resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A port that was free a moment ago (the server is restarted on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function startServe(args: string[], timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawnCli(['serve', ...args]);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dixw serve printed no URL in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stdout?.on('data', (c) => {
      stdout += c;
      const m = /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[0],
        stderr: () => stderr,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dixw serve exited (${code}) before printing its URL:\n${stderr}`));
    });
  });
}
