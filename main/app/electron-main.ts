// The Electron main process: one window on the app's own scheme, the service and its job runner (workers as
// utility processes), the typed API over IPC, native dialogs, the menu, a strict Content-Security-Policy and the guards
// of every page (web-guards.ts: no navigation away, allowlisted external links, no permissions; DevTools and the
// renderer-folder variable in development only). Loaded only under Electron, compiled (dist/main/electron-main.js, the
// package's "main"); everything it decides is in small modules tested without Electron.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { APP_SCHEME, IPC_CHANNELS } from '../../shared/api';
import { CONTENT_SECURITY_POLICY } from '../../shared/api-csp';
import { WorkbenchApi } from '../service/api-handlers';
import { openService } from '../service/index';
import { DEFAULT_RENDERER_DIR, isRendererBuilt } from '../server/renderer-build';
import { handleAppRequest } from './app-protocol';
import type { GuardedWebContents, MenuItemTemplate, OpenDialogOptions, UtilityProcessApi } from './electron-api';
import { createIpcHandlers } from './ipc-handlers';
import { appMenuTemplate } from './menu';
import { utilityProcessLauncher } from './utility-launcher';
import { guardWebContents, refusePermission, rendererFolder } from './web-guards';
import { mainWindowOptions } from './window-options';

const electron = createRequire(import.meta.url)('electron') as any;
const { app, BrowserWindow, Menu, dialog, ipcMain, protocol, session, shell } = electron;
const utilityProcess = electron.utilityProcess as UtilityProcessApi;

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const APP_URL = `${APP_SCHEME}://app/index.html`;

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

// Every page the app ever creates (the window, and anything it might open) gets the same guards, before it loads.
app.on('web-contents-created', (_event: unknown, contents: GuardedWebContents) => {
  guardWebContents(contents, APP_SCHEME, (url) => void shell.openExternal(url));
});

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) return app.quit();
  await app.whenReady();
  const packaged = Boolean(app.isPackaged);
  const rendererDir = rendererFolder(process.env, packaged, DEFAULT_RENDERER_DIR);
  if (!isRendererBuilt(rendererDir)) {
    dialog.showErrorBox('DIX Workbench', `The renderer is not built (${rendererDir}). Run "npm run build:renderer" first.`);
    return app.quit();
  }
  const service = openService({ dbPath: process.env.DIXW_DB, launcher: utilityProcessLauncher(utilityProcess) });
  service.runJobs();
  const api = new WorkbenchApi(service, { mode: 'electron' });

  // Every response of the default session carries the CSP, whatever its source.
  session.defaultSession.webRequest.onHeadersReceived((details: { responseHeaders?: Record<string, string[]> }, callback: (r: object) => void) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc: unknown, _permission: string, callback: (ok: boolean) => void) => callback(refusePermission()));
  session.defaultSession.setPermissionCheckHandler(refusePermission);
  protocol.handle(APP_SCHEME, async (request: { url: string }) => {
    const r = await handleAppRequest(api, rendererDir, request.url);
    return new Response(r.body as BodyInit, { status: r.status, headers: r.headers });
  });

  const window = new BrowserWindow(mainWindowOptions(PRELOAD, packaged));
  const handlers = createIpcHandlers(
    api,
    {
      chooseFolder: async (title) => {
        const r = await dialog.showOpenDialog(window, { title, properties: ['openDirectory', 'createDirectory'] } satisfies OpenDialogOptions);
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
    },
    (line) => console.error(line),
  );
  for (const [channel, handle] of Object.entries(handlers)) {
    ipcMain.handle(channel, (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => handle(event.senderFrame?.url ?? '', ...args));
  }
  const unsubscribe = service.on((e) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, e);
  });

  window.once('ready-to-show', () => window.show());

  const showView = (view: string) => window.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/${view}`)}`);
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ showView, quit: () => app.quit() }, process.platform, packaged) as MenuItemTemplate[]));

  await window.loadURL(APP_URL);
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event: { preventDefault(): void }) => {
    // The runner stops first (its job stays resumable), then the database closes.
    event.preventDefault();
    unsubscribe();
    service.close().finally(() => app.exit(0));
  });
}

void main().catch((err) => {
  console.error(err);
  app.exit(1);
});
