// Brings a database to the current schema. All pending migrations run in one transaction: the file is either fully
// upgraded or left exactly as it was.
import type Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index';
import { StoreError } from './store-error';

/** PRAGMA application_id of our files ("DIXW"), so we never adopt another program's SQLite database. */
export const APPLICATION_ID = 0x44495857;

export interface SchemaState {
  applicationId: number;
  userVersion: number;
  /** Tables other than SQLite's own. */
  tableCount: number;
}

export function readSchemaState(db: Database.Database): SchemaState {
  return {
    applicationId: db.pragma('application_id', { simple: true }) as number,
    userVersion: db.pragma('user_version', { simple: true }) as number,
    tableCount: (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() as { n: number }).n,
  };
}

/** Refuses a file that is not ours or is newer than this version understands. */
export function checkSchemaOwnership(state: SchemaState, path: string, latest = LATEST_SCHEMA_VERSION): void {
  const empty = state.applicationId === 0 && state.userVersion === 0 && state.tableCount === 0;
  if (!empty && state.applicationId !== APPLICATION_ID) {
    throw new StoreError(
      'foreign-database',
      `${path} is an SQLite database of another program, not a DIX Workbench database. Nothing was changed. Choose another file with --db PATH or DIXW_HOME.`,
    );
  }
  if (state.userVersion > latest) {
    throw new StoreError(
      'newer-schema',
      `${path} was written by a newer DIX Workbench (schema ${state.userVersion}; this version knows up to ${latest}). Nothing was changed. Update DIX Workbench, or use another file with --db PATH.`,
    );
  }
}

/** Applies every migration above the file's user_version; returns the versions before and after. */
export function migrate(
  db: Database.Database,
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order at ${m.name}: version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
  const before = readSchemaState(db);
  checkSchemaOwnership(before, path, latest);
  const pending = migrations.filter((m) => m.version > before.userVersion);
  if (pending.length === 0) return { from: before.userVersion, to: before.userVersion };
  let current = before.userVersion;
  try {
    db.transaction(() => {
      if (before.applicationId === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      for (const m of pending) {
        current = m.version;
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }
    }).immediate();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new StoreError(
      'migration-failed',
      `Upgrading ${path} to schema ${current} failed (${detail}). The database was left unchanged at schema ${before.userVersion}; please report this with the file.`,
      { cause: err },
    );
  }
  return { from: before.userVersion, to: latest };
}
