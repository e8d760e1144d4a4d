// The Workers panel of the Queue view, end to end: `dixw serve --queue redis://...` as a real child process, a real
// redis-server and a real `dixw worker --queue` process, Debian's Chromium. The panel lists the worker (host, backend,
// heartbeat, items done); an explain job run by the fleet shows items done/total, items per second and ETA in the
// queue table as local jobs do. On the local queue the panel says the fleet is not in use and how to start one.
// Waits are for elements and process output, never for a time. Screenshots (light and dark) go to
// test-output/screenshots/fleet-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { TOKEN_HEADER } from '../../shared/api';
import { buildRenderer } from '../../main/server/renderer-build';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';
import { startDixwWorker, type DixwWorker } from '../fleet/dixw-worker';
import { SKIP_WITHOUT_REDIS, TestRedis } from '../fleet/redis-server';
import { CHROMIUM, launchBrowser, watchErrors } from './browser';
import { startServe, type ServeProcess } from './serve-process';

const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : SKIP_WITHOUT_REDIS;
const IMAGES = 48;

let dir: string;
let cleanup: () => void;
let renderer: string;
let redis: TestRedis;
let context: BrowserContext;

before(async () => {
  if (skip) return;
  ({ dir, cleanup } = tempDir('dixw-e2e-fleet-'));
  mkdirSync(SHOTS, { recursive: true });
  renderer = await buildRenderer(join(dir, 'renderer'));
  redis = await TestRedis.start();
  context = await launchBrowser();
  context.setDefaultTimeout(60_000);
});
after(async () => {
  await context?.close();
  await redis?.close();
  cleanup?.();
});

async function openQueue(serve: ServeProcess): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Queue', exact: true }).click();
  return { page, errors };
}

async function shotBothThemes(page: Page, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached' });
    await page.screenshot({ path: join(SHOTS, `${name}-${theme}.png`), fullPage: true });
  }
}

async function api<T>(serve: ServeProcess, name: string, input: unknown): Promise<T> {
  const token = new URL(serve.url).searchParams.get('token') ?? '';
  const res = await fetch(new URL(`/api/call/${name}`, serve.url), { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: JSON.stringify(input) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}

test('on a Redis fleet the panel lists the dixw worker; a fleet job shows items done/total, items per second and ETA', { skip }, async () => {
  const data = makeDataset(dir, 'data', IMAGES);
  const model = await makeModel(dir);
  const serve = await startServe(['--db', join(dir, 'fleet.db'), '--renderer', renderer, '--queue', redis.url]);
  let worker: DixwWorker | null = null;
  try {
    worker = await startDixwWorker(redis.url);
    const { page, errors } = await openQueue(serve);
    const panel = page.getByTestId('fleet-panel');
    await page.locator('[data-testid="fleet-panel"][data-backend="redis"]').waitFor();
    const row = panel.locator(`tr[data-worker-id="${worker.id}"][data-alive="true"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /alive/);
    assert.match(await panel.innerText(), new RegExp(`dixw worker --queue ${redis.url.replace(/[/.]/g, '\\$&')}`));
    await shotBothThemes(page, 'fleet-panel-idle');

    // A job on the fleet; once the worker has finished a few items it is frozen (SIGSTOP), so the job stays mid-way
    // for as long as the checks take.
    const { job } = await api<{ job: { id: number } }>(serve, 'jobs.submit', { spec: { kind: 'explain', model, dataset: data, methods: ['gradcam'] } });
    await worker.waitForLines(/ done$/, 3);
    worker.proc.kill('SIGSTOP');
    try {
      const jobRow = page.locator(`tr[data-job-id="${job.id}"][data-state="running"]`);
      // Items per second and an ETA, as for a local job, once the table has read the job's rate.
      await jobRow.locator('[data-testid="job-rate"]').filter({ hasText: /\d\/s$/ }).waitFor();
      await jobRow.locator('[data-testid="job-eta"]').filter({ hasText: /\d/ }).waitFor();
      const items = /(\d+)\/(\d+)/.exec(await jobRow.locator('td.num').first().innerText());
      assert.ok(items, 'items done/total');
      assert.equal(Number(items[2]), IMAGES);
      assert.ok(Number(items[1]) >= 3 && Number(items[1]) < IMAGES, `mid-way: ${items[0]}`);
      // The panel's worker row counts the same items (its heartbeat says so before each result is sent). Frozen, the
      // worker stops beating and is shown as gone after 6 s: the row is found whatever its state.
      await panel.locator(`tr[data-worker-id="${worker.id}"]`).locator('[data-testid="worker-done"]').filter({ hasText: /^[1-9]\d*$/ }).waitFor();
      await shotBothThemes(page, 'fleet-job-running');
    } finally {
      worker.proc.kill('SIGCONT');
    }
    await page.locator(`tr[data-job-id="${job.id}"][data-state="done"]`).waitFor({ timeout: 600_000 });
    await row.locator('[data-testid="worker-done"]').filter({ hasText: new RegExp(`^${IMAGES}$`) }).waitFor();
    assert.equal(await panel.locator('[data-testid="fleet-waiting"]').innerText(), '0 waiting');
    // The panel follows the worker's heartbeats without a reload: idle once its last item is sent.
    await row.locator('[data-testid="worker-current"]').filter({ hasText: 'idle' }).waitFor();
    await shotBothThemes(page, 'fleet-job-done');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shotBothThemes(page, 'fleet-job-done-1024');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await worker?.stop();
    await serve.stop();
  }
});

test('on the local queue the panel says the fleet is not in use and how to start one', { skip }, async () => {
  const serve = await startServe(['--db', join(dir, 'local.db'), '--renderer', renderer, '--queue', 'local']);
  try {
    const { page, errors } = await openQueue(serve);
    const panel = page.locator('[data-testid="fleet-panel"][data-backend="local"]');
    await panel.waitFor();
    const text = await panel.innerText();
    assert.match(text, /The fleet is not in use/);
    assert.match(text, /worker process(es)? per job/);
    assert.match(text, /dixw worker --queue redis:\/\/HOST:6379/);
    assert.match(text, /dixw serve --queue redis:\/\/HOST:6379/);
    await shotBothThemes(page, 'fleet-panel-local');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await serve.stop();
  }
});
