// The one SQLite file: opened with WAL (readers never block the writer), foreign keys on, a busy timeout for the
// moments two processes write, and migrated to the current schema. A file that is not ours is refused untouched.
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, readSchemaState, checkSchemaOwnership } from './migrate';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index';
import { isSqliteError, StoreError, toStoreError } from './store-error';
import { resolveStorePath } from './store-path';

export interface OpenStoreOptions {
  /** --db PATH; else $DIXW_HOME/workbench.db, else the app-data folder. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** For viewers and concurrent readers: no migration, no writes. */
  readonly?: boolean;
  /** How long a write waits for another process's transaction (ms). */
  busyTimeoutMs?: number;
  /** Tests only: open with a prefix of the migration list to make an old database. */
  migrations?: readonly Migration[];
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * A prepared statement whose SQLite errors come out as StoreErrors with advice (a full disk, a damaged page, a lock),
 * wherever it runs: inside a transaction or alone (a lease renewal, a read for the window).
 */
export class StoreStatement {
  constructor(
    private readonly statement: Database.Statement,
    private readonly path: string,
  ) {}

  run(...params: unknown[]): Database.RunResult {
    return this.translated(() => this.statement.run(...params));
  }

  get(...params: unknown[]): unknown {
    return this.translated(() => this.statement.get(...params));
  }

  all(...params: unknown[]): unknown[] {
    return this.translated(() => this.statement.all(...params));
  }

  private translated<T>(call: () => T): T {
    try {
      return call();
    } catch (err) {
      throw isSqliteError(err) ? toStoreError(err, this.path) : err;
    }
  }
}

export class Store {
  private readonly statements = new Map<string, StoreStatement>();

  constructor(
    readonly db: Database.Database,
    readonly path: string,
    readonly readonly: boolean,
  ) {}

  /** A prepared statement, compiled once per connection. */
  prepare(sql: string): StoreStatement {
    let s = this.statements.get(sql);
    if (!s) {
      try {
        s = new StoreStatement(this.db.prepare(sql), this.path);
      } catch (err) {
        // Compiling reads the schema: a damaged first page fails here.
        throw isSqliteError(err) ? toStoreError(err, this.path) : err;
      }
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs fn in one transaction (BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of failing
   * half-way). Nested calls become savepoints. SQLite errors come out as StoreErrors with advice.
   */
  transaction<T>(fn: () => T): T {
    try {
      const tx = this.db.transaction(fn);
      return this.db.inTransaction || this.readonly ? tx() : tx.immediate();
    } catch (err) {
      throw isSqliteError(err) ? toStoreError(err, this.path) : err;
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** PRAGMA integrity_check: ['ok'] for a healthy file. */
  integrityCheck(): string[] {
    try {
      return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    } catch (err) {
      throw isSqliteError(err) ? toStoreError(err, this.path) : err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating if needed) and migrates the workbench database. Throws StoreError with a clear message. */
export function openStore(options: OpenStoreOptions = {}): Store {
  const path = resolveStorePath({ explicitPath: options.path, env: options.env });
  const readonly = options.readonly ?? false;
  const migrations = options.migrations ?? MIGRATIONS;
  if (path !== ':memory:') checkDatabaseFile(path, readonly);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // Reads the header: a damaged file fails here, before anything is written.
    const state = readSchemaState(db);
    if (readonly) {
      checkSchemaOwnership(state, path);
      if (state.userVersion < LATEST_SCHEMA_VERSION) {
        throw new StoreError('needs-upgrade', `${path} has schema ${state.userVersion}; this version needs ${LATEST_SCHEMA_VERSION}. Open it once without read-only mode (e.g. start the app) to upgrade it.`);
      }
    } else {
      checkSchemaOwnership(state, path);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a killed process never loses a commit; only a power cut can lose the last ones.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!readonly) migrate(db, path, migrations);
    return new Store(db, path, readonly);
  } catch (err) {
    db?.close();
    throw isSqliteError(err) ? toStoreError(err, path) : err;
  }
}

/** Looks at the first bytes before SQLite touches the file, so a foreign file is refused and never rewritten. */
function checkDatabaseFile(path: string, readonly: boolean): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      throw new StoreError('cannot-open', `${path} is a folder or device, not a database file. Choose a file path with --db PATH or DIXW_HOME.`);
    }
    size = st.size;
  } catch (err) {
    if (err instanceof StoreError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StoreError('cannot-open', `Cannot look at ${path} (${(err as Error).message}). Check the permissions of the file and its folder.`, { cause: err });
    }
    if (readonly) throw new StoreError('not-found', `There is no database at ${path}. Start the app or run a dixw command once to create it, or pass --db PATH.`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (mkdirErr) {
      throw new StoreError('cannot-open', `Cannot create the folder for ${path} (${(mkdirErr as Error).message}). Choose a writable location with --db PATH or DIXW_HOME.`, { cause: mkdirErr });
    }
    return;
  }
  if (size === 0) return; // SQLite treats an empty file as a new database
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || !head.equals(SQLITE_HEADER)) {
    throw new StoreError(
      'not-a-database',
      `${path} is not a DIX Workbench database: it is not an SQLite file at all (${size} bytes, starting ${JSON.stringify(head.toString('latin1').replace(/[^\x20-\x7e]/g, '.'))}). Nothing was changed. Move the file away or choose another location with --db PATH or DIXW_HOME.`,
    );
  }
}
