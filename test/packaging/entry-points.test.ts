// Files handed to a process or a thread at run time are found from sources and from the compiled output alike
// (shared/entry-url.ts), and every one of them is an entry of the build (scripts/build-main.mjs): a new worker entry
// that the build does not compile fails here, before a packaged app would fail to start it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { entryUrl, isSourceModule } from '../../shared/entry-url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('from sources an entry is the TypeScript file beside its referrer; compiled, the sibling .js of whichever chunk refers to it', () => {
  assert.equal(entryUrl('file:///p/main/service/service.ts', '../jobs/engine-executor.ts').href, 'file:///p/main/jobs/engine-executor.ts');
  assert.equal(entryUrl('file:///p/dist/main/chunk-ABC123.js', '../jobs/engine-executor.ts').href, 'file:///p/dist/main/engine-executor.js');
  assert.equal(entryUrl('file:///p/dist/main/start.js', '../../bin/dixw.js', 'dixw.js').href, 'file:///p/dist/main/dixw.js');
  assert.equal(entryUrl('file:///p/main/app/start.ts', '../../bin/dixw.js', 'dixw.js').href, 'file:///p/bin/dixw.js');
  assert.ok(isSourceModule('file:///p/main/jobs/worker-main.ts'));
  assert.ok(!isSourceModule('file:///p/dist/main/worker-main.js'));
});

/** Every `entryUrl(import.meta.url, SOURCE[, NAME])` under main/: the referring file, the source path and the compiled name. */
function entryReferences(): Array<{ file: string; source: string; name: string }> {
  const refs: Array<{ file: string; source: string; name: string }> = [];
  const files = readdirSync(join(ROOT, 'main'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts'));
  for (const e of files) {
    const file = join(e.parentPath, e.name);
    for (const m of readFileSync(file, 'utf8').matchAll(/entryUrl\(import\.meta\.url, '([^']+)'(?:, '([^']+)')?\)/g)) {
      const source = resolve(e.parentPath, m[1]);
      refs.push({ file: relative(ROOT, file), source: relative(ROOT, source), name: m[2] ?? `${m[1].slice(m[1].lastIndexOf('/') + 1).replace(/\.ts$/, '')}.js` });
    }
  }
  return refs;
}

test('every file the code hands to a process or a thread is compiled by the build, under the name the code expects', async () => {
  const { ENTRIES } = (await import(join(ROOT, 'scripts/build-main.mjs') as string)) as { ENTRIES: Record<string, string> };
  const refs = entryReferences();
  // The worker process, the engine executor, three worker-thread entries, and the CLI that npm start falls back to.
  assert.ok(refs.length >= 6, JSON.stringify(refs));
  for (const ref of refs) {
    const out = ref.name.replace(/\.js$/, '');
    assert.ok(out in ENTRIES, `${ref.file} hands ${ref.source} to a process or thread as ${ref.name}, which the build does not make`);
    // bin/dixw.js is the development launcher of main/cli/dixw.ts, which is what the build compiles under that name.
    const expected = ref.source === 'bin/dixw.js' ? 'main/cli/dixw.ts' : ref.source;
    assert.equal(ENTRIES[out], expected, `${ref.name} is compiled from ${ENTRIES[out]}, but ${ref.file} means ${expected}`);
  }
});

test('package.json\'s "main" (Electron) and npm start run entries of the build', async () => {
  const { ENTRIES } = (await import(join(ROOT, 'scripts/build-main.mjs') as string)) as { ENTRIES: Record<string, string> };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
  assert.equal(pkg.main, 'dist/main/electron-main.js');
  assert.equal(ENTRIES['electron-main'], 'main/app/electron-main.ts');
  assert.match(pkg.scripts.start, /^npm run build && node dist\/main\/start\.js$/);
  assert.equal(ENTRIES.start, 'main/app/start.ts');
});
