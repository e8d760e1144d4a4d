// One error type for everything the store refuses or cannot do. Messages say what is wrong and what to do about it.

export type StoreErrorCode =
  | 'not-a-database' // the file exists but is not SQLite
  | 'foreign-database' // SQLite, but another program's
  | 'newer-schema' // made by a newer DIX Workbench
  | 'needs-upgrade' // opened read-only but the schema is older than this version
  | 'migration-failed'
  | 'corrupt'
  | 'cannot-open'
  | 'disk-full'
  | 'read-only'
  | 'busy'
  | 'not-found'
  | 'illegal-transition'
  | 'in-use'
  | 'invalid-data'
  | 'sqlite';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** better-sqlite3 errors carry SQLite's result code name. */
export function isSqliteError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_');
}

/** Turns a better-sqlite3 error into a StoreError with advice; passes StoreErrors through. */
export function toStoreError(err: unknown, path: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
  const detail = err instanceof Error ? err.message : String(err);
  const where = `the database ${path}`;
  if (code.startsWith('SQLITE_NOTADB')) {
    return new StoreError('not-a-database', `${where} is not an SQLite database (${detail}). Nothing was changed. Move the file away or choose another location with --db PATH or DIXW_HOME.`, { cause: err });
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    // .recover copies every row it can still read into a new file; the damaged one is kept as it is.
    const recovered = path.replace(/(\.db)?$/, '-recovered.db');
    return new StoreError('corrupt', `${where} is damaged (${detail}). Keep a copy of it, then restore it from a backup, or recover what can be read ` +
      `into a new file with the sqlite3 tool (3.41 or newer; 3.40's .recover stops with "SQL logic error"): sqlite3 "${path}" ".recover" | sqlite3 "${recovered}" ` +
      `and use that file (--db ${recovered}, or move it in place of the damaged one).`, { cause: err });
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new StoreError('disk-full', `The disk holding ${where} is full (${detail}). Free some space; results committed so far are intact.`, { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError('read-only', `${where} cannot be written (${detail}). Check the file's permissions or open it from a writable location.`, { cause: err });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('busy', `${where} stayed locked by another process (${detail}). Try again; if it persists, close other DIX Workbench windows or commands.`, { cause: err });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_PERM')) {
    return new StoreError('cannot-open', `Cannot open or write ${where} (${detail}). Check that the folder exists and is writable.`, { cause: err });
  }
  return new StoreError('sqlite', `${where}: ${detail}`, { cause: err });
}
