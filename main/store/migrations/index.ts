// The ordered list of schema migrations. Append only: a released migration is never edited or removed.
import { INITIAL_SCHEMA } from './001-initial';
import { JOB_EVENTS_SCHEMA } from './002-job-events';
import { ITEMS_BY_FINISH_SCHEMA } from './003-items-by-finish';

export interface Migration {
  /** 1, 2, 3, ... ; PRAGMA user_version holds the last one applied. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_initial', sql: INITIAL_SCHEMA },
  { version: 2, name: '002_job_events', sql: JOB_EVENTS_SCHEMA },
  { version: 3, name: '003_items_by_finish', sql: ITEMS_BY_FINISH_SCHEMA },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
