// How a command reaches the workbench database: through the service only, at --db PATH, else $DIXW_HOME/workbench.db,
// else the platform's app-data folder. The service module is loaded lazily (it is light, but explain and train
// load TF.js for their own help text).
import type { ServiceOptions, WorkbenchService } from '../service/service';

export const DB_OPTION = { db: { type: 'string' } } as const;
export const DB_HELP = '  --db PATH           the workbench database (default: $DIXW_HOME/workbench.db, else the app-data folder)';

/** Opens the service (with `options` besides --db), runs `use`, and closes it whatever happens. */
export async function withService<T>(v: Record<string, unknown>, use: (service: WorkbenchService) => Promise<T>,
  options: Omit<ServiceOptions, 'dbPath'> = {}): Promise<T> {
  const { openService } = await import('../service/service');
  const service = openService({ ...options, dbPath: typeof v.db === 'string' ? v.db : undefined });
  try {
    return await use(service);
  } finally {
    await service.close();
  }
}
