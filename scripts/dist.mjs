// `npm run dist` (installers for the host platform) and `npm run dist:dir` (`--dir`: the unpacked app only): builds,
// runs electron-builder with the arguments given, then rebuilds better-sqlite3 for Node whatever electron-builder did.
// electron-builder recompiles the project's own node_modules for Electron's ABI (npmRebuild in electron-builder.yml);
// left so, the CLI, web mode and the tests in this checkout could no longer open the database.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status ?? 1;
}

let status = run(npm, ['run', 'build']);
if (status === 0) {
  status = run(process.execPath, [fileURLToPath(new URL('../node_modules/electron-builder/cli.js', import.meta.url)), ...process.argv.slice(2)]);
  const restored = run(npm, ['rebuild', 'better-sqlite3']);
  if (restored !== 0) console.error('dist: "npm rebuild better-sqlite3" failed: run it before using the CLI or the tests in this checkout.');
}
process.exit(status);
