// Worker-thread entry: indexes a dataset folder (see dataset-index-thread.ts).
import { serveTasks } from '../engine/threads/serve-tasks';
import { indexDatasetReply } from './dataset-index-thread';

serveTasks(async (root: string) => ({ res: await indexDatasetReply(root) }));
