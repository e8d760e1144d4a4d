// Worker processes under Electron: utilityProcess (a Node child that Electron manages and ends with the app), behind
// the job layer's WorkerLauncher interface, so the scheduler does not know which it runs on. The worker side
// (main/jobs/worker-transport.ts) already speaks process.parentPort.
import type { HostToWorkerMessage } from '../../shared/worker-protocol';
import { workerExecArgv, WORKER_ENTRY, type WorkerExit, type WorkerLauncher, type WorkerProcess } from '../jobs/index';
import type { UtilityProcessApi } from './electron-api';

export function utilityProcessLauncher(utilityProcess: UtilityProcessApi): WorkerLauncher {
  return {
    launch(executorPath: string): WorkerProcess {
      const child = utilityProcess.fork(WORKER_ENTRY, [executorPath], { execArgv: workerExecArgv(WORKER_ENTRY), stdio: 'pipe', serviceName: 'DIX Workbench worker' });
      let exited = false;
      const outputListeners: Array<(line: string, stream: 'stdout' | 'stderr') => void> = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        let buffered = '';
        child[stream]?.on('data', (chunk: Buffer | string) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) for (const l of outputListeners) l(line, stream);
        });
      }
      child.on('exit', () => (exited = true));
      return {
        get pid() {
          return child.pid;
        },
        send(message: HostToWorkerMessage) {
          if (!exited) child.postMessage(message);
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        onOutput(listener) {
          outputListeners.push(listener);
        },
        onExit(listener) {
          child.on('exit', (code) => listener({ code, signal: null } satisfies WorkerExit));
        },
        kill() {
          if (!exited) child.kill();
        },
      };
    },
  };
}
