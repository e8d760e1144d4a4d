// Bad input to the fleet's commands: one message saying what is wrong and what to do, exit status 1, no stack trace.
// (No Redis is needed: these are refused before, or because, nothing answers.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { tempDir } from '../store/helpers';

const DIXW = fileURLToPath(new URL('../../bin/dixw.js', import.meta.url));

function dixw(...args: string[]) {
  const r = spawnSync(process.execPath, [DIXW, ...args], { encoding: 'utf8' });
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  return r;
}

/** A port nothing listens on (taken and released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

test('dixw worker --queue with an address that is not redis:// says what to give', () => {
  const r = dixw('worker', '--queue', 'http://lab:6379');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a redis:\/\/ address.*--queue redis:\/\/HOST:PORT/s);
});

test('a fleet worker refuses --db and a visibility that is not a number of seconds', () => {
  const db = dixw('worker', '--queue', 'redis://127.0.0.1:1', '--db', 'x.db');
  assert.equal(db.status, 1);
  assert.match(db.stderr, /belong to the coordinator.*--coordinator/s);
  const vis = dixw('worker', '--queue', 'redis://127.0.0.1:1', '--visibility', 'soon');
  assert.equal(vis.status, 1);
  assert.match(vis.stderr, /--visibility soon is not a number of seconds/);
});

test('the file server\'s flags belong to the coordinator and --cache to a worker; a port must be a port', () => {
  const host = dixw('worker', '--queue', 'redis://127.0.0.1:1', '--blob-host', '0.0.0.0');
  assert.equal(host.status, 1);
  assert.match(host.stderr, /--blob-host and --blob-port belong to the coordinator.*--coordinator/s);
  const cache = dixw('worker', '--queue', 'redis://127.0.0.1:1', '--coordinator', '--cache', 'x');
  assert.equal(cache.status, 1);
  assert.match(cache.stderr, /--cache belongs to a fleet worker/);
  const port = dixw('worker', '--queue', 'redis://127.0.0.1:1', '--coordinator', '--blob-port', 'any');
  assert.equal(port.status, 1);
  assert.match(port.stderr, /--blob-port any is not a port number/);
});

test('dixw fleet status where no Redis answers names the address and what to do', async () => {
  const port = await closedPort();
  const r = dixw('fleet', 'status', '--queue', `redis://127.0.0.1:${port}`);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`no Redis answers at redis://127.0.0.1:${port}.*Start redis-server there`, 's'));
});

test('a coordinator whose Redis does not answer is refused at start, naming the address', async () => {
  const port = await closedPort();
  const { dir, cleanup } = tempDir('dixw-fleet-cli-');
  try {
    const r = dixw('worker', '--queue', `redis://127.0.0.1:${port}`, '--coordinator', '--db', join(dir, 'w.db'), '--until-idle');
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`no Redis answers at redis://127.0.0.1:${port}`));
  } finally {
    cleanup();
  }
});

test('dixw fleet with an unknown subcommand, or status without a queue, says what to type', () => {
  const unknown = dixw('fleet', 'list');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown fleet command "list".*dixw fleet status --queue/s);
  const r = spawnSync(process.execPath, [DIXW, 'fleet', 'status'], { encoding: 'utf8', env: { ...process.env, DIXW_QUEUE: '' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no queue given.*--queue redis:\/\/HOST:PORT/s);
});

test('--help of the fleet commands', () => {
  assert.match(dixw('worker', '--queue', 'redis://h:1', '--help').stdout, /--coordinator/);
  assert.match(dixw('worker', '--queue', 'redis://h:1', '--help').stdout, /fetches them by content hash.*--cache DIR.*--blob-host ADDR/s);
  assert.match(dixw('worker', '--help').stdout, /--queue URL/);
  assert.match(dixw('fleet', '--help').stdout, /items per second/);
  assert.match(dixw('--help').stdout, /fleet\s+the fleet of workers/);
});
