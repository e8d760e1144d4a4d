// A database with a damaged page (a disk error, a copy cut short): whatever reads it -- the CLI, the window, the
// scheduler -- gets one message saying the file is damaged and how to recover it, never a raw SqliteError.
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openService, ServiceError } from '../../main/service/index';
import { listImages, openStore, StoreError } from '../../main/store/index';
import { hasStackTrace, runCli } from '../helpers/run-cli';
import { makeDataset } from '../helpers/workbench-fixtures';
import { tempDir } from './helpers';

let dir: string;
let cleanup: () => void;
let db: string;
let datasetId: number;

/** Overwrites the first page of the images table's b-tree with garbage, as a bad sector would. */
function damageImagesTable(path: string): void {
  const store = openStore({ path });
  const { rootpage } = store.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'images'").get() as { rootpage: number };
  const pageSize = store.db.pragma('page_size', { simple: true }) as number;
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (rootpage - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-damaged-'));
  db = join(dir, 'wb.db');
  const svc = openService({ dbPath: db });
  datasetId = (await svc.datasets.add({ path: makeDataset(dir) })).dataset.id;
  await svc.close();
  damageImagesTable(db);
});
after(() => cleanup());

const RECOVER = /the database .*wb\.db is damaged \(database disk image is malformed\)\. .*\(3\.41 or newer.*\): sqlite3 ".*wb\.db" "\.recover" \| sqlite3 ".*wb-recovered\.db" and use that file/;

test('the store: a read of the damaged page is a StoreError "corrupt" with how to recover', () => {
  const store = openStore({ path: db });
  try {
    assert.throws(() => listImages(store, datasetId), (e: unknown) => {
      assert.ok(e instanceof StoreError, `expected a StoreError, got ${String(e)}`);
      assert.equal(e.code, 'corrupt');
      assert.match(e.message, RECOVER);
      return true;
    });
  } finally {
    store.close();
  }
});

test('the service (the window, web mode): a store error with the message, not "Internal error"', async () => {
  const svc = openService({ dbPath: db });
  try {
    await assert.rejects(svc.datasets.show(datasetId), (e: unknown) => {
      assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
      assert.equal(e.code, 'store');
      assert.equal(e.storeCode, 'corrupt');
      assert.match(e.message, RECOVER);
      return true;
    });
  } finally {
    await svc.close();
  }
});

test('the CLI: one message with the recovery command, exit status 1, no stack trace', () => {
  const r = runCli(['dataset', 'show', String(datasetId), '--db', db]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, RECOVER);
  assert.equal(hasStackTrace(r.stderr), false, r.stderr);
});
