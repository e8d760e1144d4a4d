// The preload of the sandboxed renderer: exposes window.dixw, and only it: a call of the typed API (validated in the
// main process), the service's events, and the native folder dialog. CommonJS and self-contained, because a
// sandboxed preload can require nothing but 'electron'; the channel names repeat shared/api.ts (IPC_CHANNELS), and a
// test checks that they match.
'use strict';
const { contextBridge, ipcRenderer } = require('electron');

const CHANNELS = { call: 'dixw:call', event: 'dixw:event', chooseFolder: 'dixw:choose-folder' };

contextBridge.exposeInMainWorld('dixw', {
  call: (name, input) => ipcRenderer.invoke(CHANNELS.call, String(name), input),
  onEvent: (listener) => {
    const wrapped = (_event, payload) => listener(payload);
    ipcRenderer.on(CHANNELS.event, wrapped);
    return () => ipcRenderer.removeListener(CHANNELS.event, wrapped);
  },
  chooseFolder: (title) => ipcRenderer.invoke(CHANNELS.chooseFolder, String(title)),
});
