// Web mode's server against malformed and greedy requests: a malformed percent-escape in the path or the cookie is
// the caller's mistake (400, 401), never a 500; the JSON content type is matched exactly; and the number of open
// event streams is bounded (1500 were accepted before).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HTTP_PATHS, TOKEN_COOKIE, TOKEN_HEADER } from '../../shared/api';
import { MAX_EVENT_STREAMS, mediaType } from '../../main/server/http-server';
import { startWebMode, type WebMode } from '../../main/server/web-mode';
import { tempDir } from '../store/helpers';

let dir: string;
let cleanup: () => void;
let web: WebMode;
let token: string;

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens an event stream; resolves with the response once its status line is in. */
function openStream(): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, method: 'GET', path: HTTP_PATHS.events, headers: { [TOKEN_HEADER]: token } }, (res) => resolve({ req, res }));
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-hostile-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>DIX Workbench</title>');
  web = await startWebMode({ dbPath: join(dir, 'wb.db'), rendererDir: renderer, pollMs: 50, log: () => undefined });
  token = new URL(web.url).searchParams.get('token') ?? '';
});
after(async () => {
  await web?.close();
  cleanup();
});

test('a malformed percent-escape in an API path is a 400, in the token cookie a 401', async () => {
  const json = { 'content-type': 'application/json', [TOKEN_HEADER]: token };
  const call = await send('POST', `${HTTP_PATHS.call}app.%E0%A4%A`, json, '{}');
  assert.equal(call.status, 400);
  assert.equal(call.json.error.code, 'invalid-input');
  assert.match(call.json.error.message, /not valid percent-encoding/);
  const file = await send('GET', `${HTTP_PATHS.file}image%?input={}`, { [TOKEN_HEADER]: token });
  assert.equal(file.status, 400);
  const cookie = await send('POST', `${HTTP_PATHS.call}app.info`, { 'content-type': 'application/json', cookie: `${TOKEN_COOKIE}=%E0%A4%A` }, '{}');
  assert.equal(cookie.status, 401);
  assert.equal(cookie.json.error.code, 'unauthorized');
  // A static path with a bad escape is simply not there.
  assert.equal((await send('GET', '/assets/%E0%A4%A.js')).status, 404);
});

test('the JSON content type is matched exactly; parameters and case are allowed', async () => {
  for (const type of ['application/jsonp', 'application/json-seq', 'application/json5', 'text/plain; application/json']) {
    const r = await send('POST', `${HTTP_PATHS.call}app.info`, { 'content-type': type, [TOKEN_HEADER]: token }, '{}');
    assert.equal(r.status, 400, type);
    assert.match(r.json.error.message, /content-type: application\/json/);
  }
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
    assert.equal((await send('POST', `${HTTP_PATHS.call}app.info`, { 'content-type': type, [TOKEN_HEADER]: token }, '{}')).status, 200, type);
  }
  assert.equal(mediaType(' application/json ; charset=utf-8'), 'application/json');
});

test(`at most ${MAX_EVENT_STREAMS} event streams at once; a closed one frees its place`, async () => {
  const open = await Promise.all(Array.from({ length: MAX_EVENT_STREAMS }, openStream));
  try {
    assert.ok(open.every((s) => s.res.statusCode === 200));
    const refused = await send('GET', HTTP_PATHS.events, { [TOKEN_HEADER]: token });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'too-many-requests');
    assert.match(refused.json.error.hint, /Close other workbench tabs/);
    // The server frees the place when it sees the connection close: wait for that, then a new stream is accepted.
    const closing = open.pop()!;
    const seen = new Promise((resolve) => closing.res.once('close', resolve));
    closing.req.destroy();
    await seen;
    let again: { req: ClientRequest; res: IncomingMessage } | null = null;
    for (let tries = 0; tries < 1000 && again?.res.statusCode !== 200; tries++) {
      again?.req.destroy();
      again = await openStream();
    }
    assert.equal(again?.res.statusCode, 200);
    open.push(again!);
  } finally {
    for (const s of open) s.req.destroy();
  }
});
