import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { indexDatasetFolder } from '../../main/engine/data/dataset-folder.js';
import { maskFromDecoded } from '../../main/engine/data/dataset-load.js';
import { readImageFile } from '../../main/engine/data/image-decode.js';
import { mixSeed, mulberry32, Rng } from '../../main/engine/data/rng.js';
import { generateSynthDataset, renderSynthSample, SYNTH_SHAPES } from '../../main/engine/data/synth.js';
import { tempDir, writeFile } from './helpers.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

function sameBytes(a: string, b: string): boolean {
  const fa = listFiles(a);
  if (JSON.stringify(fa) !== JSON.stringify(listFiles(b))) return false;
  return fa.every((f) => readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

test('mulberry32 is deterministic, in [0,1), and seeds differ', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notEqual(mulberry32(43)(), xs[0]);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
  const r = new Rng(7);
  const perm = r.permutation(10);
  assert.deepEqual([...perm].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(new Rng(7).permutation(10), perm);
  for (let i = 0; i < 200; i++) {
    const k = r.int(3, 5);
    assert.ok(k >= 3 && k <= 5 && Number.isInteger(k));
  }
});

test('synth: same seed gives identical bytes; a different seed differs; image i does not depend on n', (t) => {
  const base = tempDir(t);
  const opts = { n: 24, size: 32, classes: 4, seed: 5 };
  generateSynthDataset({ out: join(base, 'a'), ...opts });
  generateSynthDataset({ out: join(base, 'b'), ...opts });
  assert.ok(sameBytes(join(base, 'a'), join(base, 'b')), 'two runs with one seed are byte-identical');
  generateSynthDataset({ out: join(base, 'c'), ...opts, seed: 6 });
  assert.ok(!sameBytes(join(base, 'a'), join(base, 'c')), 'another seed gives other images');
  generateSynthDataset({ out: join(base, 'd'), ...opts, n: 8 });
  for (const f of listFiles(join(base, 'd')).filter((f) => f.endsWith('.png'))) {
    assert.ok(readFileSync(join(base, 'd', f)).equals(readFileSync(join(base, 'a', f))), `${f} same for n=8 and n=24`);
  }
});

test('synth defaults: 400 images of 32x32 in 4 balanced classes, indexable as ImageFolder with a mask for every image', (t) => {
  const out = join(tempDir(t), 'ds');
  const r = generateSynthDataset({ out });
  assert.equal(r.n, 400);
  const meta = JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8'));
  assert.deepEqual({ n: meta.n, size: meta.size, classes: meta.classes, seed: meta.seed }, { n: 400, size: 32, classes: 4, seed: 0 });
  const idx = indexDatasetFolder(out);
  assert.equal(idx.layout, 'imagefolder');
  assert.deepEqual(idx.classNames, r.classNames);
  assert.deepEqual(meta.classNames, r.classNames, 'synth.json records the ImageFolder class order');
  assert.deepEqual([...r.classNames].sort(), [...SYNTH_SHAPES.slice(0, 4)].sort());
  assert.equal(idx.entries.length, 400);
  const counts = new Map<number, number>();
  for (const e of idx.entries) {
    counts.set(e.label!, (counts.get(e.label!) ?? 0) + 1);
    assert.ok(e.maskPath, `${e.relPath} has a mask`);
  }
  assert.deepEqual([...counts.values()], [100, 100, 100, 100]);
  const first = readImageFile(idx.entries[0]!.absPath);
  assert.deepEqual([first.width, first.height], [32, 32]);
});

test('synth masks cover exactly the object: it spans ~35-60% of the side, is one colour under the mask', (t) => {
  const out = join(tempDir(t), 'ds');
  generateSynthDataset({ out, n: 40, classes: 10, seed: 3 });
  const idx = indexDatasetFolder(out);
  assert.equal(idx.classNames.length, 10);
  for (const e of idx.entries) {
    const img = readImageFile(e.absPath);
    const mask = maskFromDecoded(readImageFile(e.maskPath!), 32, 32);
    const on: number[] = [];
    mask.forEach((m, i) => m && on.push(i));
    assert.ok(on.length > 0, `${e.relPath}: empty mask`);
    const xs = on.map((i) => i % 32);
    const ys = on.map((i) => Math.floor(i / 32));
    const span = Math.max(Math.max(...xs) - Math.min(...xs) + 1, Math.max(...ys) - Math.min(...ys) + 1) / 32;
    assert.ok(span >= 0.3 && span <= 0.75, `${e.relPath}: object spans ${(span * 100).toFixed(0)}% of the side`);
    assert.ok(Math.min(...xs) > 0 && Math.min(...ys) > 0 && Math.max(...xs) < 31 && Math.max(...ys) < 31, `${e.relPath}: object touches the border`);
    // The object is one colour plus at most +-6 noise, so every channel spans <= 12 under the mask.
    for (let c = 0; c < 3; c++) {
      const vals = on.map((i) => img.rgba[i * 4 + c]!);
      assert.ok(Math.max(...vals) - Math.min(...vals) <= 13, `${e.relPath}: channel ${c} varies under the mask`);
    }
  }
});

test('synth: the object colour does not reveal the class (per-class mean colours agree)', () => {
  const perClass = 120;
  const means = SYNTH_SHAPES.slice(0, 4).map((shape, k) => {
    const sum = [0, 0, 0];
    for (let i = 0; i < perClass; i++) {
      const { rgb, mask } = renderSynthSample(mixSeed(11, i * 4 + k), shape, 32);
      const p = mask.indexOf(1);
      for (let c = 0; c < 3; c++) sum[c]! += rgb[p * 3 + c]!;
    }
    return sum.map((s) => s / perClass);
  });
  for (let c = 0; c < 3; c++) {
    const vals = means.map((m) => m[c]!);
    assert.ok(Math.max(...vals) - Math.min(...vals) < 40, `channel ${c} class means ${vals.map((v) => v.toFixed(0))}`);
  }
});

test('synth refuses a non-empty folder unless overwriting an earlier synthetic dataset', (t) => {
  const base = tempDir(t);
  const other = join(base, 'other');
  writeFile(join(other, 'precious.txt'), 'keep me');
  assert.throws(() => generateSynthDataset({ out: other, n: 4 }), /not empty/);
  assert.throws(() => generateSynthDataset({ out: other, n: 4, overwrite: true }), /not a synthetic dataset/);
  assert.equal(readFileSync(join(other, 'precious.txt'), 'utf8'), 'keep me');
  const ds = join(base, 'ds');
  generateSynthDataset({ out: ds, n: 8 });
  generateSynthDataset({ out: ds, n: 4, overwrite: true });
  assert.equal(indexDatasetFolder(ds).entries.length, 4, 'old images are gone');
  assert.throws(() => generateSynthDataset({ out: join(base, 'x'), classes: 11 }), /--classes must be an integer from 2 to 10/);
});
