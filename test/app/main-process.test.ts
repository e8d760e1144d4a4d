// The Electron main process's decisions, tested without the Electron binary (it cannot be installed here): window
// options, the Content-Security-Policy, the menu, the IPC handlers' validation over a real service, the app scheme's
// files, the preload's channels, and `npm start` falling back to web mode.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { APP_SCHEME, IPC_CHANNELS, TOKEN_HEADER } from '../../shared/api';
import { CONTENT_SECURITY_POLICY } from '../../shared/api-csp';
import { handleAppRequest } from '../../main/app/app-protocol';
import { findElectronBinary } from '../../main/app/electron-binary';
import { createIpcHandlers } from '../../main/app/ipc-handlers';
import { appMenuTemplate } from '../../main/app/menu';
import { isAppUrl, mainWindowOptions } from '../../main/app/window-options';
import { WorkbenchApi } from '../../main/service/api-handlers';
import { openService, type WorkbenchService } from '../../main/service/index';
import { makeDataset } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

const APP = `${APP_SCHEME}://app/index.html`;
let dir: string;
let cleanup: () => void;
let service: WorkbenchService;
let api: WorkbenchApi;
let renderer: string;

before(() => {
  ({ dir, cleanup } = tempDir('dixw-app-'));
  service = openService({ dbPath: join(dir, 'wb.db') });
  api = new WorkbenchApi(service, { mode: 'electron' });
  renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>DIX Workbench</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
});
after(async () => {
  await service.close();
  cleanup();
});

test('the window: context isolation, no Node anywhere, sandboxed, web security on, the preload only', () => {
  const o = mainWindowOptions('/app/preload.cjs');
  assert.deepEqual(o.webPreferences, {
    preload: '/app/preload.cjs',
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  });
  assert.ok(o.width >= 1280 && o.height >= 800, 'opens at 1280x800 or more');
  assert.equal(isAppUrl(APP, APP_SCHEME), true);
  assert.equal(isAppUrl('https://example.com/', APP_SCHEME), false);
  assert.equal(isAppUrl(`${APP_SCHEME}://other/index.html`, APP_SCHEME), false);
  assert.equal(isAppUrl('file:///etc/passwd', APP_SCHEME), false);
});

test('the Content-Security-Policy: nothing by default, no inline script or eval, no remote origins', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('connect-src'), ["'self'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:|\*/);
});

test('the menu: every view has its own keyboard shortcut; quitting is in the menu', () => {
  const shown: string[] = [];
  let quit = 0;
  const menu = appMenuTemplate({ showView: (v) => shown.push(v), quit: () => quit++ }, 'linux');
  const items = menu.flatMap((m) => m.submenu ?? []);
  const accelerators = items.map((i) => i.accelerator).filter(Boolean);
  assert.equal(new Set(accelerators).size, accelerators.length, 'no shortcut twice');
  for (const label of ['Datasets', 'Models', 'New job', 'Queue', 'Results', 'Export']) {
    const item = items.find((i) => i.label === label);
    assert.ok(item?.accelerator, `${label} has a shortcut`);
    item.click?.();
  }
  assert.deepEqual(shown, ['datasets', 'models', 'new-job', 'queue', 'results', 'export']);
  items.find((i) => i.label === 'Quit')?.click?.();
  assert.equal(quit, 1);
  assert.ok(appMenuTemplate({ showView: () => undefined, quit: () => undefined }, 'darwin').some((m) => m.role === 'appMenu'));
});

test('IPC: calls from the app page are validated by the contract and answered with the error code and hint', async () => {
  const folders: string[] = [];
  const handlers = createIpcHandlers(api, { chooseFolder: async (title) => (folders.push(title), '/chosen') });
  const call = handlers[IPC_CHANNELS.call];
  assert.deepEqual(Object.keys(handlers).sort(), [IPC_CHANNELS.call, IPC_CHANNELS.chooseFolder].sort());

  const info = (await call(APP, 'app.info', {})) as any;
  assert.equal(info.ok, true);
  assert.equal(info.result.mode, 'electron');
  const foreign = (await call('https://example.com/', 'datasets.list', {})) as any;
  assert.deepEqual(foreign.ok, false);
  assert.equal(foreign.error.code, 'forbidden');
  const notString = (await call(APP, 42, {})) as any;
  assert.equal(notString.error.code, 'invalid-input');
  const unknown = (await call(APP, 'shell.exec', { cmd: 'rm -rf /' })) as any;
  assert.equal(unknown.error.code, 'not-found');
  const extra = (await call(APP, 'datasets.add', { path: dir, evil: true })) as any;
  assert.equal(extra.error.code, 'invalid-input');
  assert.match(extra.error.message, /evil/);
  const missing = (await call(APP, 'datasets.add', { path: join(dir, 'nowhere') })) as any;
  assert.equal(missing.error.code, 'unusable-input');
  const added = (await call(APP, 'datasets.add', { path: makeDataset(dir, 'data', 6) })) as any;
  assert.equal(added.ok, true);
  assert.equal(added.result.dataset.imageCount, 6);

  assert.equal(await handlers[IPC_CHANNELS.chooseFolder](APP, 'Choose a dataset folder'), '/chosen');
  assert.equal(await handlers[IPC_CHANNELS.chooseFolder]('https://example.com/', 'x'), null);
  assert.deepEqual(folders, ['Choose a dataset folder']);
});

test('the app scheme serves the renderer and the file calls, with the CSP, and nothing outside its folder', async () => {
  const index = await handleAppRequest(api, renderer, APP);
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.match(String(Buffer.from(index.body as Uint8Array)), /DIX Workbench/);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt']) {
    const r = await handleAppRequest(api, renderer, `${APP_SCHEME}://app${path}`);
    assert.doesNotMatch(String(r.body), /outside/);
  }
  assert.equal((await handleAppRequest(api, renderer, `${APP_SCHEME}://elsewhere/index.html`)).status, 404);
  const [dataset] = await service.datasets.list();
  const [image] = (await service.datasets.show(dataset.id)).sample;
  const file = await handleAppRequest(api, renderer, `${APP_SCHEME}://app/api/file/image?input=${encodeURIComponent(JSON.stringify({ id: image.id }))}`);
  assert.equal(file.status, 200);
  assert.equal(file.headers['content-type'], 'image/png');
  const bad = await handleAppRequest(api, renderer, `${APP_SCHEME}://app/api/file/image?input=${encodeURIComponent('{"id":"x"}')}`);
  assert.equal(bad.status, 400);
});

test('the preload exposes exactly the contract channels', () => {
  const preload = readFileSync(fileURLToPath(new URL('../../main/app/preload.cjs', import.meta.url)), 'utf8');
  const declared = /const CHANNELS = (\{[^}]*\})/.exec(preload)?.[1];
  assert.ok(declared, 'preload declares its channels');
  const channels = Function(`return ${declared}`)() as Record<string, string>;
  assert.deepEqual(channels, IPC_CHANNELS);
  assert.match(preload, /contextBridge\.exposeInMainWorld\('dixw'/);
  assert.doesNotMatch(preload, /ipcRenderer\.send\(|require\('(?!electron)/, 'no other module, no fire-and-forget channel');
});

test('npm start without the Electron binary says so and serves web mode', { timeout: 60_000 }, async (t) => {
  const electron = findElectronBinary();
  if (electron.found) return t.skip(`Electron is installed here (${electron.path}); npm start would open the window`);
  const start = fileURLToPath(new URL('../../main/app/start.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', start, '--port', '0', '--db', join(dir, 'start.db'), '--renderer', renderer], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        stdout += c;
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(stdout);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    assert.match(stderr, /Electron is not available here \(the electron package (is not installed|has no binary)\)/);
    const token = new URL(url).searchParams.get('token') ?? '';
    const res = await fetch(new URL('/api/call/app.info', url), { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: '{}' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { mode: string }).mode, 'web');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
