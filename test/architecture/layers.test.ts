// The layers of docs/architecture.md, enforced: every import of every source file under main/, shared/ and renderer/src
// must be an edge the `layers` block of that page allows (its layer table plus its narrow amendments), only the layers
// it names may import 'electron', and every amendment must still be needed. The rules are read from the page, so the
// page and this test cannot drift. The checker itself is tested on synthetic imports first, to show it can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIRS = ['main', 'shared', 'renderer/src'];
const SOURCE_FILE = /\.(ts|svelte|mjs|cjs)$/;

interface Rules {
  /** Layer -> the layers it may import (itself included). */
  layers: Map<string, Set<string>>;
  /** Layer -> modules (repository paths without extension, or folders ending in '/') it may import besides. */
  amendments: Map<string, Set<string>>;
  /** The layers that may import 'electron'. */
  electron: Set<string>;
}

/** An import of one of our files (`to`: a repository path without extension) or of the electron package. */
interface Edge {
  from: string;
  to: string;
}

// ---- the rules ----

function parseRules(markdown: string): Rules {
  const blocks = [...markdown.matchAll(/^```layers\n([\s\S]*?)^```/gm)];
  if (blocks.length !== 1) throw new Error(`docs/architecture.md must hold exactly one \`\`\`layers block (found ${blocks.length})`);
  const rules: Rules = { layers: new Map(), amendments: new Map(), electron: new Set() };
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  for (const raw of blocks[0][1].split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const allow = line.match(/^(\S+)\s*<-\s*(.*)$/);
    const amend = line.match(/^(\S+)\s*->\s*(\S+)$/);
    if (allow && allow[1] === 'electron') list(allow[2]).forEach((l) => rules.electron.add(l));
    else if (allow) rules.layers.set(allow[1], new Set([allow[1], ...list(allow[2])]));
    else if (amend) {
      if (!rules.amendments.has(amend[1])) rules.amendments.set(amend[1], new Set());
      rules.amendments.get(amend[1])!.add(amend[2]);
    } else throw new Error(`docs/architecture.md, layers block: cannot read "${raw.trim()}"`);
  }
  const named = [...[...rules.layers.values()].flatMap((allowed) => [...allowed]), ...rules.amendments.keys(), ...rules.electron];
  for (const l of named) if (!rules.layers.has(l)) throw new Error(`docs/architecture.md, layers block: "${l}" is not a layer`);
  return rules;
}

/** The longest layer name that prefixes the path, or null. */
function layerOf(path: string, rules: Rules): string | null {
  let best: string | null = null;
  for (const l of rules.layers.keys()) if (path.startsWith(`${l}/`) && (!best || l.length > best.length)) best = l;
  return best;
}

/** The amendment that allows the edge, or null. */
function amendmentFor(edge: Edge, rules: Rules, from: string): string | null {
  for (const m of rules.amendments.get(from) ?? []) if (m.endsWith('/') ? edge.to.startsWith(m) : edge.to === m) return m;
  return null;
}

/** The edges the rules refuse, as 'file -> module' lines, and the amendments no edge used. */
function checkEdges(edges: Edge[], rules: Rules): { violations: string[]; unusedAmendments: string[] } {
  const violations: string[] = [];
  const used = new Set<string>();
  for (const e of edges) {
    const from = layerOf(e.from, rules);
    if (!from) {
      violations.push(`${e.from} -> ${e.to}   (the importing file is in no layer of docs/architecture.md)`);
      continue;
    }
    if (e.to === 'electron') {
      if (!rules.electron.has(from)) violations.push(`${e.from} -> electron   (only ${[...rules.electron].join(', ')} may import electron)`);
      continue;
    }
    const to = layerOf(e.to, rules);
    if (to && rules.layers.get(from)!.has(to)) continue;
    const amendment = amendmentFor(e, rules, from);
    if (amendment) used.add(`${from} -> ${amendment}`);
    else violations.push(`${e.from} -> ${e.to}   (${from} may not import ${to ?? 'files outside the layers'})`);
  }
  const all = [...rules.amendments].flatMap(([from, ms]) => [...ms].map((m) => `${from} -> ${m}`));
  return { violations, unusedAmendments: all.filter((a) => !used.has(a)) };
}

// ---- reading the imports ----

/** Module specifiers a source imports (static, export-from, dynamic with a literal, require), 'electron' included. */
function importsOf(source: string, svelte = false): string[] {
  const code = svelte ? [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n') : source;
  const specs = ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
  // createRequire(import.meta.url)('electron'), which the scanner does not see (comments left out).
  const uncommented = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  if (/\(\s*['"]electron(\/[^'"]*)?['"]\s*\)/.test(uncommented)) specs.push('electron');
  return specs;
}

/** A relative specifier as a repository path without extension ('../engine/errors.js' -> 'main/engine/errors'). */
function resolveSpecifier(fromFile: string, spec: string, root = ROOT): string {
  let abs = resolve(root, dirname(fromFile), spec);
  if (existsSync(abs) && statSync(abs).isDirectory()) abs = join(abs, 'index');
  return relative(root, abs).split('\\').join('/').replace(/\.(ts|js|mjs|cjs)$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return SOURCE_FILE.test(name) ? [p] : [];
  });
}

function repositoryEdges(root = ROOT): Edge[] {
  return SOURCE_DIRS.flatMap((d) => sourceFiles(join(root, d))).flatMap((abs) => {
    const from = relative(root, abs).split('\\').join('/');
    return importsOf(readFileSync(abs, 'utf8'), from.endsWith('.svelte')).flatMap((spec): Edge[] => {
      if (spec === 'electron' || spec.startsWith('electron/')) return [{ from, to: 'electron' }];
      return spec.startsWith('.') ? [{ from, to: resolveSpecifier(from, spec, root) }] : [];
    });
  });
}

// ---- the tests ----

const rules = parseRules(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));

test('the rules are read from the page: the layers, DESIGN\'s table, the electron rule', () => {
  assert.deepEqual([...rules.layers.keys()].sort(), ['main/app', 'main/cli', 'main/engine', 'main/figures', 'main/jobs', 'main/server',
    'main/service', 'main/store', 'renderer', 'shared']);
  assert.deepEqual([...rules.layers.get('shared')!], ['shared']);
  assert.deepEqual([...rules.layers.get('main/engine')!].sort(), ['main/engine', 'shared']);
  assert.deepEqual([...rules.electron], ['main/app']);
});

test('the checker refuses what the rules do not allow (synthetic imports)', () => {
  const edge = (from: string, to: string) => ({ from, to });
  const { violations } = checkEdges([
    edge('main/engine/explain/ig.ts', 'main/service/service'), // engine imports only shared
    edge('shared/job-spec.ts', 'main/engine/errors'), // shared imports nothing of ours
    edge('main/cli/commands/x.ts', 'main/engine/explain/path-integral'), // not one of main/cli's amendments
    edge('main/cli/commands/x.ts', 'main/store/store'), // cli goes through the service
    edge('renderer/src/lib/client.ts', 'main/service/index'), // the renderer reaches the service only over IPC/HTTP
    edge('main/jobs/scheduler.ts', 'electron'), // plain Node
    edge('main/service/jobs.ts', 'test/helpers/pytorch'), // outside every layer
    edge('main/newlayer/thing.ts', 'shared/api'), // a folder no rule covers
  ], rules);
  assert.equal(violations.length, 8, violations.join('\n'));
  assert.match(violations[0], /^main\/engine\/explain\/ig\.ts -> main\/service\/service .*main\/engine may not import main\/service/);
  assert.match(violations[5], /only main\/app may import electron/);
  const ok = checkEdges([
    edge('main/cli/args.ts', 'main/engine/errors'), // amendment A2
    edge('main/jobs/queue.ts', 'main/store/jobs-repo'),
    edge('main/app/electron-main.ts', 'electron'),
    edge('main/engine/explain/ig.ts', 'main/engine/tf'),
    edge('renderer/src/App.svelte', 'shared/api'),
  ], rules);
  assert.deepEqual(ok.violations, []);
});

test('imports are read in every form, in .ts and .svelte, and not in comments or strings', () => {
  const src = [
    "import a from './a';", "import type { B } from '../b';", "export * from './c';", "export { d } from './d.js';",
    "import './side-effect';", "const e = await import('./e');", "const f = require('./f');",
    "const g = createRequire(import.meta.url)('electron');", "// import z from './commented';", "const s = \"import('./in-a-string')\";",
  ].join('\n');
  assert.deepEqual(importsOf(src).sort(), ['../b', './a', './c', './d.js', './e', './f', './side-effect', 'electron']);
  const svelte = "<script lang=\"ts\">\n  import Chart from './Chart.svelte';\n  import { api } from '../lib/client';\n</script>\n<p>import x from './markup'</p>";
  assert.deepEqual(importsOf(svelte, true), ['./Chart.svelte', '../lib/client']);
  assert.equal(resolveSpecifier('main/cli/args.ts', '../engine/errors.js'), 'main/engine/errors');
  assert.equal(resolveSpecifier('main/cli/record-subcommands.ts', '../service'), 'main/service/index');
});

let edges: Edge[] | null = null;
const repoEdges = () => (edges ??= repositoryEdges());

test('every import in main/, shared/ and renderer/src follows docs/architecture.md', () => {
  assert.ok(repoEdges().length > 500, `only ${repoEdges().length} imports found: is the scan reading the sources?`);
  const { violations } = checkEdges(repoEdges(), rules);
  assert.deepEqual(violations, [], `Imports that cross the layers of docs/architecture.md (file -> imported module):\n  ${violations.join('\n  ')}\n`
    + 'Route the call through the layer the table allows, or, if the edge is a real need, add the narrowest amendment to the '
    + 'layers block of docs/architecture.md with an explanation.');
});

test('every amendment in docs/architecture.md is still needed', () => {
  const { unusedAmendments } = checkEdges(repoEdges(), rules);
  assert.deepEqual(unusedAmendments, [], `Amendments that no import needs any more (remove them and their explanation):\n  ${unusedAmendments.join('\n  ')}`);
});
