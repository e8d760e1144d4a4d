// Electron's entry (package.json "main"): lets the main process run the project's TypeScript through tsx, as the
// CLI does, then starts the app.
'use strict';
const { register } = require('tsx/esm/api');

register();
import('./electron-main.ts').catch((err) => {
  console.error(err);
  process.exit(1);
});
