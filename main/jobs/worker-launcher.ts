// How a worker process is started. The scheduler only sees WorkerProcess, so Electron can supply a launcher built on
// utilityProcess; outside Electron it is child_process.fork with structured-clone messages.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { entryUrl, isSourceModule } from '../../shared/entry-url';
import type { HostToWorkerMessage } from '../../shared/worker-protocol';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerProcess {
  readonly pid: number | undefined;
  /** Ignored once the process is gone (its exit is reported by onExit). */
  send(message: HostToWorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Each line the process writes, for logs and crash reports. */
  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Immediate and unconditional (SIGKILL). */
  kill(): void;
}

export interface WorkerLauncher {
  launch(executorPath: string): WorkerProcess;
}

export const WORKER_ENTRY = fileURLToPath(entryUrl(import.meta.url, './worker-main.ts'));

/** Node flags that let a child run TypeScript: tsx's loader, by absolute URL so the child's cwd does not matter. */
export function tsxExecArgv(): string[] {
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

/** The flags a worker entry needs: tsx's loader for a TypeScript source, none for the compiled output (no tsx there). */
export function workerExecArgv(entry: string): string[] {
  return isSourceModule(entry) ? tsxExecArgv() : [];
}

export interface ForkLauncherOptions {
  /** Defaults to main/jobs/worker-main.ts (dist/main/worker-main.js when compiled). */
  workerEntry?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

export function forkLauncher(options: ForkLauncherOptions = {}): WorkerLauncher {
  return {
    launch(executorPath: string): WorkerProcess {
      const entry = options.workerEntry ?? WORKER_ENTRY;
      const child = fork(entry, [executorPath], {
        execArgv: options.execArgv ?? workerExecArgv(entry),
        env: options.env ?? process.env,
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const outputListeners: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        let buffered = '';
        child[stream]?.setEncoding('utf8');
        child[stream]?.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) for (const l of outputListeners) l(line, stream);
        });
        child[stream]?.on('end', () => {
          if (buffered) for (const l of outputListeners) l(buffered, stream);
          buffered = '';
        });
      }
      // A failed spawn emits 'error' and then no 'exit' on some platforms: report it as an exit.
      let exited = false;
      const exitListeners: ((exit: WorkerExit) => void)[] = [];
      const reportExit = (exit: WorkerExit) => {
        if (exited) return;
        exited = true;
        for (const l of exitListeners) l(exit);
      };
      child.on('error', (err) => {
        for (const l of outputListeners) l(`cannot run the worker process: ${err.message}`, 'stderr');
        if (child.exitCode === null && child.signalCode === null && child.pid === undefined) reportExit({ code: null, signal: null });
      });
      // 'close' comes after the output streams ended, so the crash report has the last lines.
      child.on('close', (code, signal) => reportExit({ code, signal }));
      return {
        get pid() {
          return child.pid;
        },
        send(message) {
          if (!child.connected) return;
          try {
            child.send(message);
          } catch {
            // The channel closed in between; the exit is reported separately.
          }
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        onOutput(listener) {
          outputListeners.push(listener);
        },
        onExit(listener) {
          exitListeners.push(listener);
        },
        kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
      };
    },
  };
}
