// The fleet panel's API call (`fleet.status`) over web mode's real HTTP server: the token is required, and the answer
// is JSON the shared schema accepts. On a Redis fleet (a real redis-server, a real `dixw worker --queue` process) it
// lists that worker with its heartbeat; on the local queue it says so and counts the local worker processes.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_SCHEME, HTTP_PATHS, IPC_CHANNELS, TOKEN_HEADER } from '../../shared/api';
import { FleetPanelSchema } from '../../shared/fleet-panel';
import { createIpcHandlers } from '../../main/app/ipc-handlers';
import { startWebMode, type WebMode } from '../../main/server/web-mode';
import { WorkbenchApi } from '../../main/service/api-handlers';
import { openService } from '../../main/service/index';
import { tempDir } from '../store/helpers';
import { startDixwWorker, type DixwWorker } from '../fleet/dixw-worker';
import { SKIP_WITHOUT_REDIS, TestRedis } from '../fleet/redis-server';

let dir: string;
let cleanup: () => void;
let renderer: string;
let redis: TestRedis;
let worker: DixwWorker;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-fleet-server-'));
  // A built renderer is just files: a stand-in folder is enough for the server's part.
  renderer = join(dir, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>DIX Workbench</title>');
  if (SKIP_WITHOUT_REDIS) return;
  redis = await TestRedis.start();
  worker = await startDixwWorker(redis.url);
});
after(async () => {
  await worker?.stop();
  await redis?.close();
  cleanup?.();
});

async function fleetCall(web: WebMode, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(`${HTTP_PATHS.call}fleet.status`, web.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  return { status: res.status, json: await res.json() };
}

const tokenOf = (web: WebMode) => new URL(web.url).searchParams.get('token') ?? '';

test('fleet.status needs the token, and lists a registered dixw worker with its heartbeat', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const web = await startWebMode({ dbPath: join(dir, 'fleet.db'), rendererDir: renderer, queue: redis.url, pollMs: 50, log: () => undefined });
  try {
    const none = await fleetCall(web, {});
    assert.equal(none.status, 401);
    assert.equal((none.json as { error: { code: string } }).error.code, 'unauthorized');
    const wrong = await fleetCall(web, { [TOKEN_HEADER]: 'x'.repeat(tokenOf(web).length) });
    assert.equal(wrong.status, 401);

    const ok = await fleetCall(web, { [TOKEN_HEADER]: tokenOf(web) });
    assert.equal(ok.status, 200);
    const panel = FleetPanelSchema.parse(ok.json);
    assert.equal(panel.backend, 'redis');
    if (panel.backend !== 'redis') return;
    assert.equal(panel.queue, redis.url);
    assert.equal(panel.error, null);
    assert.ok(panel.status);
    const w = panel.status.workers.find((x) => x.id === worker.id);
    assert.ok(w, `worker ${worker.id} is listed: ${JSON.stringify(panel.status.workers)}`);
    assert.equal(w.alive, true);
    assert.equal(w.pid, worker.proc.pid);
    assert.equal(w.lanes, 1);
    assert.equal(w.itemsDone, 0);
    assert.equal(w.busy, 0);
    assert.deepEqual(w.current, []);
    // The age is the reader's clock minus the worker's last beat, both recorded: derived, not measured here.
    assert.equal(w.heartbeatAgeMs, Math.max(0, Date.parse(panel.status.readAt) - Date.parse(w.lastSeenAt)));
    assert.deepEqual(panel.status.items, { waiting: 0, active: 0, failed: 0 });
  } finally {
    await web.close();
  }
});

test('fleet.status where Redis does not answer says why, as a 200 the panel can show', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const web = await startWebMode({ dbPath: join(dir, 'gone.db'), rendererDir: renderer, queue: 'redis://127.0.0.1:1', pollMs: 50, log: () => undefined });
  try {
    const ok = await fleetCall(web, { [TOKEN_HEADER]: tokenOf(web) });
    assert.equal(ok.status, 200);
    const panel = FleetPanelSchema.parse(ok.json);
    assert.equal(panel.backend, 'redis');
    if (panel.backend !== 'redis') return;
    assert.equal(panel.status, null);
    assert.match(panel.error ?? '', /no Redis answers at redis:\/\/127\.0\.0\.1:1/);
  } finally {
    await web.close();
  }
});

test('fleet.status on the local queue names the local worker processes', async () => {
  const web = await startWebMode({ dbPath: join(dir, 'local.db'), rendererDir: renderer, queue: 'local', pollMs: 50, log: () => undefined });
  try {
    assert.equal((await fleetCall(web, {})).status, 401);
    const ok = await fleetCall(web, { [TOKEN_HEADER]: tokenOf(web) });
    assert.equal(ok.status, 200);
    const panel = FleetPanelSchema.parse(ok.json);
    assert.equal(panel.backend, 'local');
    if (panel.backend !== 'local') return;
    assert.ok(panel.workers >= 1);
    assert.deepEqual(panel.running, []);
  } finally {
    await web.close();
  }
});

test('the window in Electron gets the same answer through the IPC handler (the preload\'s one call channel)', { skip: SKIP_WITHOUT_REDIS }, async () => {
  const service = openService({ dbPath: join(dir, 'ipc.db'), queue: redis.url });
  try {
    const call = createIpcHandlers(new WorkbenchApi(service, { mode: 'electron' }), { chooseFolder: async () => null })[IPC_CHANNELS.call]!;
    const refused = (await call('https://example.invalid/', 'fleet.status', {})) as { ok: boolean };
    assert.equal(refused.ok, false);
    const answer = (await call(`${APP_SCHEME}://app/index.html`, 'fleet.status', {})) as { ok: true; result: unknown };
    assert.equal(answer.ok, true);
    const panel = FleetPanelSchema.parse(answer.result);
    assert.ok(panel.backend === 'redis' && panel.status?.workers.some((w) => w.id === worker.id && w.alive));
  } finally {
    await service.close();
  }
});
