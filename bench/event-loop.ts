// How responsive the main process stays while a job runs: the service queues an explain job and runs it with the
// real engine in a worker process, committing each image's maps in this process, while node:perf_hooks samples
// this event loop's delay. Small CNN on 32x32 images, DIX3 + Grad-CAM + IG with every map stored: many small
// items, the most commits per second a job makes, so the most main-process work. The bound: p99 < 50 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateSynthDataset } from '../main/engine/data/synth';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { saveLayersModel, writePreprocessing } from '../main/engine/model/model-io';
import { openService } from '../main/service/index';

export interface EventLoopResult {
  images: number;
  methods: string[];
  seconds: number;
  itemsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  backend: string;
}

export async function measureEventLoopDuringJob(images: number): Promise<EventLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dixw-bench-'));
  try {
    const data = generateSynthDataset({ out: join(dir, 'data'), n: images, size: 32, classes: 4, seed: 3 }).out;
    const modelDir = join(dir, 'model');
    const model = buildArchitecture('small-cnn', { inputShape: [32, 32, 3], numClasses: 4, width: 0.5, seed: 1 });
    await saveLayersModel(model, modelDir);
    writePreprocessing(modelDir, { height: 32, width: 32, channels: 3, scale: 255, mean: [0], std: [1] });
    model.dispose();
    const service = openService({ dbPath: join(dir, 'workbench.db') });
    try {
      const methods = ['dix3', 'gradcam', 'ig'];
      const { job } = await service.jobs.submit({ spec: { kind: 'explain', model: modelDir, dataset: data, methods, keepMaps: 'all' } });
      const delay = monitorEventLoopDelay({ resolution: 5 });
      const runner = service.runJobs({ pollMs: 100 });
      // Sampled from the first committed item on: worker start-up (loading TF.js there) is not the main loop's work.
      let t0 = 0;
      const off = service.on((e) => {
        if (e.type === 'item-committed' && t0 === 0) {
          t0 = performance.now();
          delay.enable();
        }
      });
      const done = await runner.waitForJob(job.id);
      delay.disable();
      const seconds = (performance.now() - t0) / 1000;
      off();
      await runner.stop();
      if (done.state !== 'done') throw new Error(`the benchmark job ${done.state}: ${done.error}`);
      return {
        images, methods, seconds, itemsPerSecond: (images - 1) / seconds,
        p50Ms: delay.percentile(50) / 1e6, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6,
        backend: done.provenance?.backend ? `${done.provenance.backend.name} (${done.provenance.backend.detail})` : 'unknown',
      };
    } finally {
      await service.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
