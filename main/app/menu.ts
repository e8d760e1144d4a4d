// The application menu: the views (with keyboard shortcuts), adding a dataset or model folder through the native
// dialog, and the standard edit, view and window roles (copy and paste, zoom, full screen, reload).
import type { MenuItemTemplate } from './electron-api';

export interface MenuActions {
  showView(view: 'datasets' | 'models' | 'new-job' | 'queue' | 'results' | 'export'): void;
  quit(): void;
}

/** @param packaged app.isPackaged: no DevTools item in a packaged build. */
export function appMenuTemplate(actions: MenuActions, platform: NodeJS.Platform = process.platform, packaged = false): MenuItemTemplate[] {
  const views: Array<[Parameters<MenuActions['showView']>[0], string]> = [
    ['datasets', 'Datasets'], ['models', 'Models'], ['new-job', 'New job'], ['queue', 'Queue'], ['results', 'Results'], ['export', 'Export'],
  ];
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New job…', accelerator: 'CmdOrCtrl+N', click: () => actions.showView('new-job') },
        { type: 'separator' },
        platform === 'darwin' ? { role: 'close' } : { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...views.map(([id, label], i): MenuItemTemplate => ({ label, accelerator: `CmdOrCtrl+${i + 1}`, click: () => actions.showView(id) })),
        { type: 'separator' },
        { role: 'reload' },
        ...(packaged ? [] : [{ role: 'toggleDevTools' }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
