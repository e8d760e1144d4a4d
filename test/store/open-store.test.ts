// Opening the database: location, pragmas, migrations from old schemas, and refusing files that are not ours.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, openStore, resolveStorePath, StoreError } from '../../main/store/index';
import { tempDir } from './helpers';

test('resolveStorePath: explicit path, then DIXW_HOME, then the platform app-data folder', () => {
  assert.equal(resolveStorePath({ explicitPath: '/data/x.db', env: { DIXW_HOME: '/h' } }), '/data/x.db');
  assert.equal(resolveStorePath({ env: { DIXW_HOME: '/h' }, platform: 'linux' }), '/h/workbench.db');
  assert.equal(resolveStorePath({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', home: '/home/u' }), '/xdg/dix-workbench/workbench.db');
  assert.equal(resolveStorePath({ env: {}, platform: 'linux', home: '/home/u' }), '/home/u/.local/share/dix-workbench/workbench.db');
  assert.equal(resolveStorePath({ env: {}, platform: 'darwin', home: '/Users/u' }), '/Users/u/Library/Application Support/DIX Workbench/workbench.db');
  assert.equal(
    resolveStorePath({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' }),
    'C:\\Users\\u\\AppData\\Roaming\\DIX Workbench\\workbench.db',
  );
});

test('a new database is created with WAL, foreign keys, our application id and the latest schema', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'nested', 'folder', 'workbench.db');
    const store = openStore({ path });
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(store.db.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.deepEqual(store.integrityCheck(), ['ok']);
    store.close();
    // Opening again changes nothing.
    const again = openStore({ path });
    assert.equal(again.schemaVersion, LATEST_SCHEMA_VERSION);
    again.close();
    // DIXW_HOME is honoured.
    const viaEnv = openStore({ env: { DIXW_HOME: join(dir, 'home') } });
    assert.equal(viaEnv.path, join(dir, 'home', 'workbench.db'));
    viaEnv.close();
  } finally {
    cleanup();
  }
});

test('a database made with the first schema opens in the current version with its data intact', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'old.db');
    const old = openStore({ path, migrations: MIGRATIONS.slice(0, 1) });
    assert.equal(old.schemaVersion, 1);
    old.db
      .prepare("INSERT INTO jobs (kind, spec, state, created_at, updated_at) VALUES ('explain', ?, 'done', 'then', 'then')")
      .run(JSON.stringify({ kind: 'explain', model: 'm', dataset: 'd', methods: ['dix3'], keepMaps: 'all' }));
    assert.throws(() => old.db.prepare('SELECT * FROM job_events').all(), /no such table/);
    old.close();

    const store = openStore({ path });
    assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
    const row = store.db.prepare('SELECT kind, state FROM jobs').get();
    assert.deepEqual(row, { kind: 'explain', state: 'done' });
    assert.deepEqual(store.db.prepare('SELECT count(*) AS n FROM job_events').get(), { n: 0 });
    assert.deepEqual(store.integrityCheck(), ['ok']);
    store.close();
  } finally {
    cleanup();
  }
});

test('a failing migration leaves the file at its old version, nothing half-applied', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'w.db');
    openStore({ path }).close();
    const broken = [
      ...MIGRATIONS,
      { version: LATEST_SCHEMA_VERSION + 1, name: 'ok_part', sql: 'CREATE TABLE added_by_test (x INTEGER);' },
      { version: LATEST_SCHEMA_VERSION + 2, name: 'broken', sql: 'CREATE TABLE datasets (x INTEGER);' },
    ];
    const err = (() => {
      try {
        openStore({ path, migrations: broken });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof StoreError && err.code === 'migration-failed', String(err));
    assert.match(err.message, new RegExp(`left unchanged at schema ${LATEST_SCHEMA_VERSION}`));
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
    assert.deepEqual(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'added_by_test'").get(), { n: 0 });
    db.close();
  } finally {
    cleanup();
  }
});

test('a file that is not a database is refused with a clear message and left byte-for-byte unchanged', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'notes.db');
    const content = 'These are my lab notes, not a database.\n'.repeat(50);
    writeFileSync(path, content);
    const before = statSync(path).mtimeMs;
    assert.throws(
      () => openStore({ path }),
      (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'not-a-database');
        assert.match(e.message, /not a DIX Workbench database/);
        assert.match(e.message, /Nothing was changed/);
        assert.match(e.message, /--db PATH/);
        return true;
      },
    );
    assert.equal(readFileSync(path, 'utf8'), content);
    assert.equal(statSync(path).mtimeMs, before);
    assert.equal(existsSync(`${path}-wal`), false);
    assert.equal(existsSync(`${path}-shm`), false);
    // A tiny file too.
    writeFileSync(path, 'x');
    assert.throws(() => openStore({ path }), (e: unknown) => e instanceof StoreError && e.code === 'not-a-database');
  } finally {
    cleanup();
  }
});

test("another program's SQLite file and a newer schema are refused untouched", () => {
  const { dir, cleanup } = tempDir();
  try {
    const foreign = join(dir, 'other.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    const bytes = readFileSync(foreign);
    assert.throws(() => openStore({ path: foreign }), (e: unknown) => e instanceof StoreError && e.code === 'foreign-database' && /another program/.test(e.message));
    assert.deepEqual(readFileSync(foreign), bytes);

    const newer = join(dir, 'newer.db');
    openStore({ path: newer }).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    assert.throws(() => openStore({ path: newer }), (e: unknown) => e instanceof StoreError && e.code === 'newer-schema' && /newer DIX Workbench/.test(e.message));
  } finally {
    cleanup();
  }
});

test('read-only opening: no file is created, an existing one is readable', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'w.db');
    assert.throws(() => openStore({ path, readonly: true }), (e: unknown) => e instanceof StoreError && e.code === 'not-found');
    assert.equal(existsSync(path), false);
    openStore({ path }).close();
    const ro = openStore({ path, readonly: true });
    assert.equal(ro.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.throws(() => ro.db.prepare("INSERT INTO exports (kind, format, path, created_at) VALUES ('a', 'b', 'c', 'd')").run(), /readonly/);
    ro.close();
    assert.throws(() => migrate(new Database(':memory:'), ':memory:', [{ version: 2, name: 'x', sql: '' }]), /out of order/);
  } finally {
    cleanup();
  }
});
