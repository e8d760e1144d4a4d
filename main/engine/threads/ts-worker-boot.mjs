// Entry of every engine worker thread. Node 20 does not apply `--import tsx` inside worker threads, so the worker
// registers tsx's loader itself and then imports its TypeScript module (workerData.entry, a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
