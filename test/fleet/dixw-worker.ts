// A real `dixw worker --queue redis://...` process for a test, as a user starts it on a fleet machine. Ready once it
// says it takes items (its heartbeat record is in Redis by then); stopped with SIGTERM, as Ctrl-C would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DIXW = fileURLToPath(new URL('../../bin/dixw.js', import.meta.url));

export interface DixwWorker {
  proc: ChildProcess;
  /** The worker's id in the fleet (as `dixw fleet status` lists it). */
  id: string;
  /** Resolves once `count` lines of its item log (stdout: "HH:MM:SS job 1: KEY done") match `pattern`. */
  waitForLines(pattern: RegExp, count: number): Promise<void>;
  stop(): Promise<void>;
}

/** `wrapper`: a command that runs the worker's command line given after it (e.g. in another mount namespace). */
export async function startDixwWorker(queue: string, args: string[] = ['--workers', '1', '--backend', 'wasm'], wrapper: string[] = []): Promise<DixwWorker> {
  const [command, ...argv] = [...wrapper, process.execPath, DIXW, 'worker', '--queue', queue, ...args];
  const proc = spawn(command!, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const id = await new Promise<string>((resolve, reject) => {
    let err = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (c: string) => {
      err += c;
      const m = /fleet worker (\S+) takes items from/.exec(err);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`dixw worker exited (${code}): ${err}`)));
  });
  // Its item log goes to stdout, read line by line (which also keeps the pipe from filling up on a long run).
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  return {
    proc,
    id,
    waitForLines(pattern, count) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (lines.filter((l) => pattern.test(l)).length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
