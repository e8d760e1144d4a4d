// electron-builder.yml, checked as far as this machine allows (no Electron binary can be downloaded here): it parses,
// names the targets of each platform, packs only the compiled output and the built renderer, rebuilds and unpacks the
// native modules and the wasm files, and keeps Electron itself out of the packaged dependencies. The compiled output
// itself, laid out as the package is, runs in test/packaging/compiled-app.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = parse(readFileSync(`${root}electron-builder.yml`, 'utf8'));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

function targets(platform: string): string[] {
  return (config[platform].target as Array<string | { target: string }>).map((t) => (typeof t === 'string' ? t : t.target));
}

test('targets: Linux AppImage and deb, macOS dmg, Windows nsis', () => {
  assert.deepEqual(targets('linux').sort(), ['AppImage', 'deb']);
  assert.deepEqual(targets('mac'), ['dmg']);
  assert.deepEqual(targets('win'), ['nsis']);
  assert.ok(config.appId && config.productName);
  // deb needs a maintainer and the package's homepage.
  assert.ok(config.linux.maintainer && pkg.homepage);
});

test('the Electron version is pinned to what package.json installs, and it is no runtime dependency', () => {
  assert.equal(config.electronVersion, pkg.optionalDependencies.electron);
  assert.equal(pkg.dependencies.electron, undefined, 'electron-builder refuses electron in dependencies');
  assert.ok(Number(config.electronVersion.split('.')[0]) <= 41, 'Electron <= 41 (newer needs Node 22)');
  assert.ok(config.files.includes('!node_modules/electron/**'), 'the optional electron package is not packed into the app');
});

test('files: package.json and the compiled output only (no sources, no tests); the entry is the compiled main process', () => {
  const included = (config.files as string[]).filter((f) => !f.startsWith('!'));
  assert.deepEqual(included.sort(), ['dist/main/**', 'dist/renderer/**', 'package.json']);
  assert.equal(pkg.main, 'dist/main/electron-main.js');
  assert.ok(existsSync(`${root}main/app/electron-main.ts`) && existsSync(`${root}main/app/preload.cjs`), 'the sources the build compiles');
  assert.equal(pkg.devDependencies['electron-builder'], '26.18.1', 'electron-builder is pinned, not fetched by npx');
  for (const s of ['build', 'dist', 'dist:dir']) assert.ok(pkg.scripts[s], `npm run ${s}`);
  assert.equal(pkg.dependencies.tsx, undefined, 'tsx is for development only: the compiled output does not need it');
});

test('native modules are rebuilt for Electron and unpacked from the asar archive', () => {
  assert.equal(config.npmRebuild, true);
  assert.equal(config.asar, true);
  for (const p of ['**/*.node', '**/*.wasm', 'node_modules/better-sqlite3/**', 'node_modules/@napi-rs/**']) assert.ok(config.asarUnpack.includes(p), p);
  for (const dep of ['better-sqlite3', '@napi-rs/canvas']) assert.ok(pkg.dependencies[dep], `${dep} is a runtime dependency`);
});

test('fuses: no run-as-Node (nor NODE_OPTIONS, --inspect), encrypted cookies, ASAR integrity and the app only from the asar', () => {
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
  // The integrity hash is embedded only when the app is packed into an asar archive.
  assert.equal(config.asar, true);
});
