// The one window's options. The renderer is a web page with no Node: context isolation, no Node integration anywhere
// (frames, workers), a sandboxed renderer process, web security on, and a preload that exposes only the typed API.
import type { BrowserWindowOptions } from './electron-api';

/** @param packaged app.isPackaged: DevTools only in development. */
export function mainWindowOptions(preload: string, packaged: boolean): BrowserWindowOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    title: 'DIX Workbench',
    show: false,
    backgroundColor: '#f7f7f9',
    autoHideMenuBar: false,
    webPreferences: {
      preload,
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
      devTools: !packaged,
    },
  };
}

/** The window may only show the app itself; any other URL (a link in a log, a drag-and-drop) opens nowhere. */
export function isAppUrl(url: string, scheme: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${scheme}:` && u.host === 'app';
  } catch {
    return false;
  }
}
