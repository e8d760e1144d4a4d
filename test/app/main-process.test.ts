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
import { guardWebContents, isAllowedExternalUrl, refusePermission, rendererFolder } from '../../main/app/web-guards';
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
  const o = mainWindowOptions('/app/preload.cjs', false);
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
    devTools: true,
  });
  assert.equal(mainWindowOptions('/app/preload.cjs', true).webPreferences.devTools, false, 'no DevTools in a packaged build');
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
  const roles = (packaged: boolean) => appMenuTemplate({ showView: () => undefined, quit: () => undefined }, 'linux', packaged).flatMap((m) => m.submenu ?? []).map((i) => i.role);
  assert.ok(roles(false).includes('toggleDevTools'));
  assert.ok(!roles(true).includes('toggleDevTools'), 'no DevTools item in a packaged build');
});

test('every page: no navigation or redirect away from the app, no new window, no webview; only allowlisted https links open outside', () => {
  const handlers = new Map<string, (...args: any[]) => void>();
  let windowOpen: ((d: { url: string }) => { action: string }) | null = null;
  const contents = {
    setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' | 'allow' }) => (windowOpen = h),
    on: (event: string, listener: (...args: any[]) => void) => handlers.set(event, listener),
  };
  const opened: string[] = [];
  guardWebContents(contents as any, APP_SCHEME, (url) => opened.push(url));
  assert.deepEqual([...handlers.keys()].sort(), ['will-attach-webview', 'will-navigate', 'will-redirect']);
  const prevented = (event: string, url?: string) => {
    let stopped = false;
    handlers.get(event)!({ preventDefault: () => (stopped = true) }, url);
    return stopped;
  };
  for (const event of ['will-navigate', 'will-redirect']) {
    assert.equal(prevented(event, `${APP_SCHEME}://app/index.html#/queue`), false, `${event} within the app`);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', `${APP_SCHEME}://other/x`, 'javascript:alert(1)', 'not a url']) {
      assert.equal(prevented(event, url), true, `${event} to ${url}`);
    }
  }
  assert.equal(prevented('will-attach-webview'), true);

  const allowed = ['https://arxiv.org/abs/1706.03825', 'https://doi.org/10.1109/x', 'https://github.com/owner/repo'];
  const refused = ['http://arxiv.org/abs/1', 'https://arxiv.org.evil.example/', 'https://evil.example/?https://arxiv.org', 'https://user:pw@github.com/',
    'https://github.com:8443/', 'file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', `${APP_SCHEME}://app/index.html`, 'not a url'];
  for (const url of [...allowed, ...refused]) assert.deepEqual(windowOpen!({ url }), { action: 'deny' }, 'the app never opens a window of its own');
  assert.deepEqual(opened, allowed, 'only allowlisted https links reach the user\'s browser');
  for (const url of refused) assert.equal(isAllowedExternalUrl(url), false, url);
});

test('permissions are refused; the renderer-folder variable counts only in development', () => {
  assert.equal(refusePermission(), false);
  assert.equal(rendererFolder({ DIXW_RENDERER_DIR: '/tmp/evil' }, false, '/app/dist/renderer'), '/tmp/evil');
  assert.equal(rendererFolder({ DIXW_RENDERER_DIR: '/tmp/evil' }, true, '/app/dist/renderer'), '/app/dist/renderer');
  assert.equal(rendererFolder({}, false, '/app/dist/renderer'), '/app/dist/renderer');
  // electron-main.ts wires all of it (a check that it is not lost in an edit; Electron itself cannot run here).
  const main = readFileSync(fileURLToPath(new URL('../../main/app/electron-main.ts', import.meta.url)), 'utf8');
  for (const wiring of [/app\.on\('web-contents-created'[\s\S]*guardWebContents\(/, /setPermissionCheckHandler\(refusePermission\)/,
    /setPermissionRequestHandler\(/, /rendererFolder\(process\.env, packaged/, /mainWindowOptions\(PRELOAD, packaged\)/, /appMenuTemplate\([^;]*packaged\)/]) {
    assert.match(main, wiring);
  }
  assert.doesNotMatch(main, /process\.env\.DIXW_RENDERER_DIR/, 'the variable is read through rendererFolder only');
  assert.doesNotMatch(main, /openExternal\((?!url\))/, 'openExternal only behind the allowlist');
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
  // A malformed percent-escape in the file call's name is the caller's mistake, not an internal error.
  const escape = await handleAppRequest(api, renderer, `${APP_SCHEME}://app/api/file/ima%E0%A4%A?input={}`);
  assert.equal(escape.status, 400);
  assert.match(String(escape.body), /"code":"invalid-input"/);
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
