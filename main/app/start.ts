// `npm start` (compiled: dist/main/start.js, after `npm run build`): the desktop window where Electron is installed;
// elsewhere it says so and serves web mode instead (`dixw serve`, with any arguments given after `npm start --`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { entryUrl } from '../../shared/entry-url';
import { findElectronBinary } from './electron-binary';

// The project folder (its package.json "main" is the compiled Electron entry): two levels up from main/app/ and
// from dist/main/ alike.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIXW = fileURLToPath(entryUrl(import.meta.url, '../../bin/dixw.js', 'dixw.js'));

const electron = findElectronBinary();
const [command, args] = electron.found
  ? [electron.path, [ROOT, ...process.argv.slice(2)]]
  : [process.execPath, [DIXW, 'serve', ...process.argv.slice(2)]];
if (!electron.found) {
  process.stderr.write(`npm start: Electron is not available here (${electron.reason}), so the workbench runs in web mode: open the URL below in a browser.\n` +
    '  (On a machine with internet access, "npm install" installs Electron and "npm start" opens the desktop window.)\n');
}
const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
