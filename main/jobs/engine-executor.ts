// The real engine in the worker process (the executor module the app and the CLI give the scheduler): one job
// object per prepared job, by kind. Errors from the engine keep their hint, so a failed job says what to do.
import type { JobSpec } from '../../shared/job-spec';
import type { Executor, ExecutorResult } from './executor';
import { ExplainJob } from './executors/explain-executor';
import { withHint } from './executors/job-error';
import { MetricsJob } from './executors/metrics-executor';
import { SanityJob } from './executors/sanity-executor';
import { TrainJob } from './executors/train-executor';

type PreparedJob = ExplainJob | TrainJob | MetricsJob | SanityJob;

export default function createEngineExecutor(): Executor {
  let job: PreparedJob | null = null;
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw withHint(err);
    }
  };
  return {
    async prepare(spec: JobSpec, ctx) {
      job = await guard(() => prepareJob(spec, ctx));
    },
    async runItem(_spec, item, ctx): Promise<ExecutorResult> {
      if (!job) throw new Error(`job ${ctx.jobId} was not prepared`);
      const prepared = job;
      return guard(() => (prepared instanceof TrainJob ? prepared.runItem(ctx) : prepared.runItem(item, ctx)));
    },
    dispose() {
      job?.dispose();
      job = null;
    },
  };
}

function prepareJob(spec: JobSpec, ctx: Parameters<Executor['prepare']>[1]): Promise<PreparedJob> {
  switch (spec.kind) {
    case 'explain':
      return ExplainJob.prepare(spec, ctx);
    case 'train':
      return TrainJob.prepare(spec, ctx);
    case 'sanity':
      return SanityJob.prepare(spec, ctx);
    case 'metrics':
      return MetricsJob.prepare(spec, ctx);
    default:
      return Promise.reject(new Error(`${(spec as { kind: string }).kind} jobs are not run by this version of the engine executor yet; update DIX Workbench.`));
  }
}
