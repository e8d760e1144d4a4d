// The job system's public surface, for main/service, the CLI and the app.
export { Scheduler, type SchedulerEvent, type SchedulerOptions } from './scheduler';
export { enqueueJob, pauseJob, resumeJob, cancelJob, retryJob, removeJob, type EnqueueRequest } from './queue';
export { imageItems, sampledImageItems, stepImageItems, epochItems, type ImagePayload } from './plan-items';
export { loadExecutor, type Executor, type ExecutorFactory, type ExecutorResult, type ComputedMap, type ItemContext, type JobContext } from './executor';
export { forkLauncher, tsxExecArgv, workerExecArgv, WORKER_ENTRY, type WorkerLauncher, type WorkerProcess, type WorkerExit } from './worker-launcher';
export { newRunnerId, staleRunnerTest } from './runner-lease';
export { APP_VERSION } from './app-version';
