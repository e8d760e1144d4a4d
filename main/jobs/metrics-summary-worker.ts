// Worker-thread entry: a metrics job's summary, table included, read from the database by a read-only connection of
// its own (see metrics-summary-thread.ts).
import { serveTasks } from '../engine/threads/serve-tasks';
import { metricsSummaryFromDatabase, type MetricsSummaryRequest } from './metrics-summary-thread';

serveTasks(async (req: MetricsSummaryRequest) => ({ res: await metricsSummaryFromDatabase(req) }));
