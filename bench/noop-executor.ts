// The cheapest executor: one score per item, no computation. bench/fleet-speed.ts measures what the queue itself costs
// per item with it (dispatch, result transport, commit), the local SQLite queue against the Redis fleet.
import type { Executor } from '../main/jobs/executor';
import type { Provenance } from '../shared/provenance';

export default function createNoopExecutor(): Executor {
  const now = new Date().toISOString();
  const provenance: Provenance = { id: 'noop', version: 1, params: {}, cutPoints: [], targetClass: null, modelHash: 'bench', datasetHash: null, seed: null,
    backend: { name: 'cpu', version: 'bench', detail: 'no computation' }, appVersion: 'bench', startedAt: now, finishedAt: now };
  return {
    prepare() {},
    runItem(_spec, item) {
      return { scores: [{ metric: 'noop', method: null, imageId: null, value: item.ordinal, provenance }] };
    },
    dispose() {},
  };
}
