// A full disk under a foreground command, for real: the database sits on a small tmpfs mounted in a private mount
// namespace (`unshare -rm`, Linux), filled up but for a few pages. Whether the job's failure can still be recorded
// depends on which write meets the full disk first; when it could not, the command used to print one line and wait
// silently for ever while the scheduler retried (test/cli/foreground-job.test.ts makes that case certain). Either
// way it must say that the disk is full and exit with status 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasStackTrace, runCli } from '../helpers/run-cli';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

const BIN = fileURLToPath(new URL('../../bin/dixw.js', import.meta.url));

function canMountTmpfs(): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /tmp'], { stdio: 'ignore' }).status === 0;
}

test('explain on a database whose disk fills up says "disk is full" and exits 1 instead of hanging', { timeout: 240_000 }, async (t) => {
  if (!canMountTmpfs()) return t.skip('needs Linux with unprivileged mount namespaces (unshare -rm) to make a small disk');
  const { dir, cleanup } = tempDir('dixw-full-disk-');
  t.after(cleanup);
  const data = makeDataset(dir);
  const model = await makeModel(dir);
  const db = join(dir, 'wb.db');
  for (const args of [['dataset', 'add', data], ['model', 'add', model]]) {
    const r = runCli([...args, '--db', db]);
    assert.equal(r.status, 0, r.stderr);
  }
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  // The registered database is copied onto a 1 MB disk that is then filled but for 128 KB: the job's first maps fit,
  // the next ones do not.
  const script = [
    'set -e',
    `mount -t tmpfs -o size=1m tmpfs "$DISK"`,
    'cp "$DB" "$DISK/wb.db"',
    'dd if=/dev/zero of="$DISK/fill" bs=4k 2>/dev/null || true',
    'truncate -s -128K "$DISK/fill"',
    'exec "$NODE" "$BIN" explain --model 1 --data 1 --methods dix3,ig,gradcam --db "$DISK/wb.db"',
  ].join('\n');
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', script], {
    encoding: 'utf8',
    env: { ...process.env, DISK: disk, DB: db, NODE: process.execPath, BIN },
    // Only a safety net: before the fix the command never ended.
    timeout: 180_000,
  });
  assert.equal(r.signal, null, `the command hung and was killed; stderr: ${r.stderr}`);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /The disk holding the database .*wb\.db is full .*Free some space; results committed so far are intact/);
  assert.equal(hasStackTrace(r.stderr), false, r.stderr);
});
