// Web mode's server in-process over a real database, with a real worker running the real engine: the token on every
// API request, loopback-only Host, request validation with the contract's schemas, server-sent events while a job
// runs, file calls (images, maps, figures, tables), static files that never leave their folder.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HTTP_PATHS, TOKEN_HEADER, type ServiceEvent } from '../../shared/api';
import { CONTENT_SECURITY_POLICY } from '../../shared/api-csp';
import { startWebMode, type WebMode } from '../../main/server/web-mode';
import { tempDir } from '../store/helpers';
import { makeDataset, makeModel } from '../helpers/workbench-fixtures';

let dir: string;
let cleanup: () => void;
let web: WebMode;
let token: string;
let data: string;
let model: string;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request, so that headers (Host, cookies) are exactly what the test says. */
function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function call(name: string, input: unknown, headers: Record<string, string> = { [TOKEN_HEADER]: token }): Promise<{ status: number; json: any }> {
  const r = await send('POST', `${HTTP_PATHS.call}${name}`, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });
  return { status: r.status, json: JSON.parse(r.body.toString()) };
}

function file(name: string, input: unknown): Promise<Answer> {
  return send('GET', `${HTTP_PATHS.file}${name}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { [TOKEN_HEADER]: token } });
}

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-server-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
  // A built renderer is just files: a stand-in folder is enough for the server's part.
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>DIX Workbench</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  web = await startWebMode({ dbPath: join(dir, 'wb.db'), rendererDir: renderer, pollMs: 50, log: () => undefined });
  token = new URL(web.url).searchParams.get('token') ?? '';
});
after(async () => {
  await web?.close();
  cleanup();
});

test('the URL is on 127.0.0.1 with a fresh token; API requests without it get 401', async () => {
  const url = new URL(web.url);
  assert.equal(url.hostname, '127.0.0.1');
  assert.ok(token.length >= 32, 'a long random token');
  const none = await call('app.info', {}, {});
  assert.equal(none.status, 401);
  assert.equal(none.json.error.code, 'unauthorized');
  assert.equal((await call('app.info', {}, { [TOKEN_HEADER]: token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a') })).status, 401);
  assert.equal((await send('GET', HTTP_PATHS.events)).status, 401);
  assert.equal((await send('GET', `${HTTP_PATHS.file}image?input={"id":1}`)).status, 401);
  const ok = await call('app.info', {});
  assert.equal(ok.status, 200);
  assert.equal(ok.json.mode, 'web');
  assert.ok(ok.json.methods.includes('dix3'));
  assert.ok(ok.json.jobKinds.includes('explain') && ok.json.jobKinds.includes('train'));
});

test('the printed URL sets the token as an HttpOnly, SameSite=Strict cookie, which then works alone', async () => {
  const r = await send('GET', `/?token=${encodeURIComponent(token)}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/');
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const pair = cookie.split(';')[0];
  const withCookie = await call('datasets.list', {}, { cookie: pair });
  assert.equal(withCookie.status, 200);
  assert.deepEqual(withCookie.json, []);
  assert.equal((await send('GET', '/?token=wrong')).status, 401);
});

test('only the loopback Host is answered (DNS rebinding), and calls must be JSON POSTs', async () => {
  const rebound = await send('POST', `${HTTP_PATHS.call}app.info`, { headers: { host: `evil.example:${web.port}`, 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: '{}' });
  assert.equal(rebound.status, 403);
  const form = await send('POST', `${HTTP_PATHS.call}app.info`, { headers: { 'content-type': 'text/plain', [TOKEN_HEADER]: token }, body: '{}' });
  assert.equal(form.status, 400);
  const get = await send('GET', `${HTTP_PATHS.call}app.info`, { headers: { [TOKEN_HEADER]: token } });
  assert.equal(get.status, 400);
});

test('inputs are validated with the contract: unknown calls, unknown fields, bad values, missing records', async () => {
  const unknown = await call('datasets.drop', {});
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error.hint, /datasets\.add/);
  const extra = await call('datasets.show', { id: 1, verbose: true });
  assert.equal(extra.status, 400);
  assert.match(extra.json.error.message, /verbose/);
  const badId = await call('jobs.show', { id: -3 });
  assert.equal(badId.status, 400);
  assert.match(badId.json.error.message, /positive/);
  assert.equal((await call('models.show', { id: 99 })).status, 404);
  const action = await call('jobs.control', { id: 1, action: 'explode' });
  assert.equal(action.status, 400);
  const notJson = await send('POST', `${HTTP_PATHS.call}app.info`, { headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: '{nope' });
  assert.equal(notJson.status, 400);
});

test('a bad dataset folder is explained, not a stack trace', async () => {
  const missing = await call('datasets.add', { path: join(dir, 'nowhere') });
  assert.equal(missing.status, 422);
  assert.match(missing.json.error.message, /does not exist/);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const none = await call('datasets.add', { path: empty });
  assert.equal(none.status, 422);
  assert.doesNotMatch(JSON.stringify(none.json), /\n\s+at /);
});

test('a job queued over HTTP runs in the worker; its events stream as server-sent events; its results are files', { timeout: 300_000 }, async () => {
  const events: ServiceEvent[] = [];
  // Resolved by the stream itself when the awaited event arrives (no polling, no fixed wait).
  let onEvent: (e: ServiceEvent) => void = () => undefined;
  const stream = request({ host: '127.0.0.1', port: web.port, path: HTTP_PATHS.events, headers: { [TOKEN_HEADER]: token } });
  const opened = new Promise<void>((resolve, reject) => {
    stream.on('response', (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/event-stream/);
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        const parts = buffered.split('\n\n');
        buffered = parts.pop() ?? '';
        for (const p of parts) {
          for (const line of p.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const event = JSON.parse(line.slice(6)) as ServiceEvent;
            events.push(event);
            onEvent(event);
          }
        }
      });
      resolve();
    });
    stream.on('error', reject);
  });
  stream.end();
  await opened;
  try {
    const ds = await call('datasets.add', { path: data });
    assert.equal(ds.status, 200);
    const m = await call('models.add', { path: model });
    assert.equal(m.status, 200);
    const spec = { kind: 'explain', model: String(m.json.model.id), dataset: String(ds.json.dataset.id), methods: ['gradcam', 'dix1'], limit: 4 };
    const estimate = await call('jobs.estimate', { spec });
    assert.equal(estimate.json.items, 4);
    const submitted = await call('jobs.submit', { spec });
    assert.equal(submitted.status, 200);
    const jobId: number = submitted.json.job.id;
    const isStop = (e: ServiceEvent) => e.type === 'job-stopped' && e.jobId === jobId;
    if (!events.some(isStop)) {
      await new Promise<void>((resolve) => {
        onEvent = (e) => isStop(e) && resolve();
      });
    }
    assert.ok(events.some((e) => e.type === 'job-queued' && e.jobId === jobId));
    assert.ok(events.some((e) => e.type === 'job-started' && e.jobId === jobId));
    assert.equal(events.filter((e) => e.type === 'item-committed' && e.jobId === jobId).length, 4);
    assert.equal((await call('jobs.show', { id: jobId })).json.job.state, 'done');

    const maps = (await call('results.maps', { jobId })).json;
    assert.equal(maps.length, 8);
    assert.ok(maps.every((mm: any) => mm.image && typeof mm.image.className === 'string'));
    const circles = (await call('results.maps', { jobId, className: maps[0].image.className, method: 'gradcam' })).json;
    assert.ok(circles.length >= 1 && circles.every((mm: any) => mm.method === 'gradcam'));

    const raw = await file('map.raw', { key: maps[0].key });
    assert.equal(raw.status, 200);
    assert.equal(raw.body.length, maps[0].height * maps[0].width * 4);
    const values = new Float32Array(raw.body.buffer, raw.body.byteOffset, raw.body.length / 4);
    assert.ok(Math.abs(Math.max(...values) - maps[0].maxValue) <= 1e-3 * Math.max(1e-9, Math.abs(maps[0].maxValue)) + 1e-6);
    const png = await file('map.png', { key: maps[0].key, opacity: 0.5 });
    assert.equal(png.headers['content-type'], 'image/png');
    assert.equal(png.body.subarray(1, 4).toString(), 'PNG');
    const image = await file('image', { id: maps[0].image.id });
    assert.equal(image.body.subarray(1, 4).toString(), 'PNG');

    const charts = (await call('results.charts', { jobId })).json;
    assert.deepEqual(charts.map((c: any) => c.id), ['timing']);
    const magic = { png: '\x89PNG', svg: '<svg', pdf: '%PDF' } as const;
    for (const format of ['png', 'svg', 'pdf'] as const) {
      const fig = await file('export.chart', { jobId, chartId: 'timing', format, dpi: 144 });
      assert.equal(fig.status, 200, fig.body.toString());
      assert.ok(fig.body.toString('latin1').includes(magic[format]), `${format} file`);
    }
    const grid = await file('export.maps', { jobId, format: 'png', limit: 2, dpi: 96 });
    assert.equal(grid.status, 200);
    const table = await file('export.table', { jobId, format: 'csv' });
    assert.match(table.body.toString(), /^image,label,target,predicted,p\(target\),gradcam ms,dix1 ms\n/);
    assert.equal(table.body.toString().trim().split('\n').length, 5);
    const wrong = await file('export.chart', { jobId, chartId: 'nope', format: 'png' });
    assert.equal(wrong.status, 404);
    assert.match(JSON.parse(wrong.body.toString()).error.message, /timing/);

    const paused = await call('jobs.control', { id: jobId, action: 'pause' });
    assert.equal(paused.status, 409);
    assert.match(paused.json.error.message, /done/);
    const removed = await call('jobs.control', { id: jobId, action: 'rm' });
    assert.deepEqual(removed.json, { job: null, removed: true });
  } finally {
    stream.destroy();
  }
});

test('static files: the renderer with the CSP, index.html for view URLs, nothing outside its folder', async () => {
  const index = await send('GET', '/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.match(index.body.toString(), /DIX Workbench/);
  assert.match(String(index.headers['content-type']), /text\/html/);
  assert.match(String((await send('GET', '/assets/app.js')).headers['cache-control']), /immutable/);
  assert.match((await send('GET', '/results')).body.toString(), /DIX Workbench/);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt']) {
    const r = await send('GET', path);
    assert.doesNotMatch(r.body.toString(), /outside the renderer/, path);
  }
  assert.equal((await send('GET', '/missing.js')).status, 404);
});
