// The dixw command end to end in real child processes: synthesize data, train, list layers, explain with every
// output format, and the bad-input contract (clear message, exit status 1, no stack trace; bad images skipped).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/run-cli';
import { handPng } from '../data/helpers';
import { readNpy } from '../../main/engine/data/npy';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadVisionModel } from '../../main/engine/model/load-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';

let dir: string;
let data: string;
let model: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dixw-cli-'));
  // explain and train are jobs now: their records go to a workbench database of this test's own.
  process.env.DIXW_HOME = dir;
  data = join(dir, 'data');
  model = join(dir, 'model');
  const s = runCli(['dataset', 'synth', '--out', data, '--n', '24', '--size', '24', '--classes', '3', '--seed', '5']);
  assert.equal(s.status, 0, s.stderr);
  const t = runCli(['train', '--data', data, '--arch', 'small-cnn', '--epochs', '1', '--width', '0.25', '--out', model, '--seed', '3', '--json']);
  assert.equal(t.status, 0, t.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('dixw --help lists every command and exits 0', () => {
  const r = runCli(['--help']);
  assert.equal(r.status, 0);
  for (const c of ['demo', 'explain', 'train', 'jobs', 'worker', 'dataset', 'model', 'layers', 'methods', 'doctor']) assert.match(r.stdout, new RegExp(`\\n  ${c} `));
});

test('train writes a LayersModel folder with preprocessing.json and a per-epoch training log', () => {
  for (const f of ['model.json', 'weights.bin', 'preprocessing.json', 'training-log.json']) assert.ok(existsSync(join(model, f)), f);
  const prep = JSON.parse(readFileSync(join(model, 'preprocessing.json'), 'utf8'));
  assert.deepEqual([prep.height, prep.width, prep.channels], [24, 24, 3]);
  assert.deepEqual(prep.classNames, ['circle', 'square', 'triangle']);
  const log = JSON.parse(readFileSync(join(model, 'training-log.json'), 'utf8'));
  assert.equal(log.epochs.length, 1);
  assert.ok(log.epochs[0].trainAccuracy >= 0 && log.epochs[0].trainAccuracy <= 1);
  assert.equal(log.seed, 3);
});

test('layers --json names the default L, L-1, L-2 block outputs', () => {
  const r = runCli(['layers', '--model', model, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.defaults, { L: 'block3_pool', 'L-1': 'block2_pool', 'L-2': 'block1_pool' });
  assert.ok(!j.cuts.some((c: { name: string }) => c.name === 'logits'), 'the output layer is not a cut point');
});

test('explain writes raw .npy maps, the exact inputs and targets.json, and PNG overlays', () => {
  const npy = join(dir, 'npy');
  const png = join(dir, 'png');
  const r = runCli(['explain', '--model', model, '--data', data, '--methods', 'dix3,gradcam,ig', '--limit', '3', '--npy', npy, '--png', png, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.images.length, 3);
  assert.equal(summary.backend.name, 'wasm');
  const first = summary.images[0].image.replace(/\.png$/, '');
  for (const m of ['dix3', 'gradcam', 'ig']) {
    const map = readNpy(join(npy, m, `${first}.npy`));
    assert.deepEqual(map.shape, [24, 24]);
    assert.ok(existsSync(join(png, m, `${first}.png`)));
  }
  assert.deepEqual(readNpy(join(npy, '_input', `${first}.npy`)).shape, [24, 24, 3]);
  const targets = JSON.parse(readFileSync(join(npy, 'targets.json'), 'utf8'));
  const t = targets.images[summary.images[0].image];
  assert.equal(t.targetClass, summary.images[0].targetClass);
  assert.deepEqual(t.methods.dix3.cutPoints, ['block1_pool', 'block2_pool', 'block3_pool']);
  assert.equal(t.methods.dix3.steps, 10);
  assert.equal(targets.backend.name, 'wasm');
});

test('a stored map can be reproduced from the stored input tensor and targets.json', async () => {
  const npy = join(dir, 'npy-check');
  const r = runCli(['explain', '--model', model, '--data', data, '--methods', 'dix2', '--limit', '1', '--npy', npy, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const image = JSON.parse(r.stdout).images[0].image.replace(/\.png$/, '');
  const input = readNpy(join(npy, '_input', `${image}.npy`));
  const stored = readNpy(join(npy, 'dix2', `${image}.npy`)).data as Float32Array;
  const targets = JSON.parse(readFileSync(join(npy, 'targets.json'), 'utf8'));
  await initBackend('wasm');
  const vm = await loadVisionModel(model);
  const x = tf.tensor4d(input.data as Float32Array, [1, 24, 24, 3]);
  const again = explainImage(vm, x, planMethods(vm, ['dix2'], {}), Object.values(targets.images as Record<string, { targetClass: number }>)[0].targetClass);
  x.dispose();
  const maxDiff = again.maps[0].map.reduce((m, v, i) => Math.max(m, Math.abs(v - stored[i])), 0);
  assert.ok(maxDiff < 1e-6, `max diff ${maxDiff}`);
});

test('a corrupt image and a decompression bomb are skipped and reported by path, and the run goes on', () => {
  const bad = join(dir, 'data-bad');
  cpSync(data, bad, { recursive: true });
  writeFileSync(join(bad, 'circle', '0000.png'), Buffer.from('this is not a png'));
  // A few dozen bytes whose header claims 20000x20000 pixels: refused from the header, never decoded.
  writeFileSync(join(bad, 'square', 'bomb.png'), handPng({ width: 20000, height: 20000, bitDepth: 8, colorType: 2, rows: [] }));
  const r = runCli(['explain', '--model', model, '--data', bad, '--methods', 'gradcam', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.skipped.map((k: { image: string }) => k.image.replace(/\\/g, '/').replace(/^.*data-bad\//, '')), ['circle/0000.png', 'square/bomb.png']);
  assert.match(s.skipped[1].reason, /header says 20000x20000 pixels .*over the limit of 100 megapixels/);
  assert.equal(s.images.length, 23);
  assert.match(r.stderr, /skipped .*0000\.png/);
  assert.match(r.stderr, /skipped .*bomb\.png: .*over the limit/);
});

test('dataset add on a folder with a link loop reports the loop and indexes each image once', () => {
  const looped = join(dir, 'data-looped');
  cpSync(data, looped, { recursive: true });
  symlinkSync('..', join(looped, 'circle', 'l1'));
  const r = runCli(['dataset', 'add', looped]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /24 images in 3 classes/);
  assert.match(r.stderr, /not indexed: circle\/l1: a link to a folder that contains it .*a loop: not followed/);
  assert.equal(hasStackTrace(r.stderr), false);
});

test("labels outside the model's classes: a warning before the run; every label outside refuses the job", () => {
  const flat = (name: string, labels: string[]) => {
    const out = join(dir, name);
    mkdirSync(out);
    ['circle/0000.png', 'square/0001.png', 'triangle/0002.png'].forEach((src, i) => cpSync(join(data, src), join(out, `${i}.png`)));
    writeFileSync(join(out, 'labels.csv'), `path,label\n${labels.map((l, i) => `${i}.png,${l}`).join('\n')}\n`);
    return out;
  };
  const some = runCli(['explain', '--model', model, '--data', flat('labels-some-out', ['0', '9', '1']), '--methods', 'gradcam']);
  assert.equal(some.status, 0, some.stderr);
  assert.match(some.stderr, /warning: 1 of 3 labelled image\(s\) have a label outside the model's 3 classes \(0-2\), e\.g\. 1\.png: 9/);
  const all = runCli(['explain', '--model', model, '--data', flat('labels-all-out', ['5', '6', '7']), '--methods', 'gradcam']);
  assert.equal(all.status, 1, all.stderr);
  assert.match(all.stderr, /Every label of the 3 labelled image\(s\) .* is outside the model's 3 classes/);
  assert.equal(hasStackTrace(all.stderr), false);
});

test('user errors: one clear message, exit status 1, no stack trace', () => {
  const broken = join(dir, 'broken-model');
  cpSync(model, broken, { recursive: true });
  writeFileSync(join(broken, 'model.json'), '{ "modelTopology": ');
  const noWeights = join(dir, 'no-weights');
  cpSync(model, noWeights, { recursive: true });
  unlinkSync(join(noWeights, 'weights.bin'));
  const wrongPrep = join(dir, 'wrong-prep');
  cpSync(model, wrongPrep, { recursive: true });
  writeFileSync(join(wrongPrep, 'preprocessing.json'), JSON.stringify({ height: 32, width: 32, channels: 3 }));
  const cases: Array<[string[], RegExp]> = [
    [['explain', '--model', broken, '--data', data, '--methods', 'dix3'], /not valid JSON/],
    [['explain', '--model', noWeights, '--data', data, '--methods', 'dix3'], /Weight file missing: .*weights\.bin/],
    [['explain', '--model', wrongPrep, '--data', data, '--methods', 'dix3'], /preprocessing\.json says 32x32x3 but the model takes 24x24x3/],
    [['explain', '--model', model, '--data', data, '--methods', 'dix3,nope'], /Unknown method "nope".*\n.*dix1/],
    [['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--layers', 'block2_conv1,block3_pool'], /takes 1 layer/],
    [['explain', '--model', model, '--data', join(dir, 'missing'), '--methods', 'dix3'], /missing/],
    [['explain', '--model', model, '--data', data, '--methods', 'dix1', '--layers', 'flatten_nope'], /"flatten_nope" is not a cut point of model \d+ .*nothing was queued/],
    [['train', '--data', data, '--arch', 'alexnet', '--epochs', '1', '--out', join(dir, 'x')], /Unknown architecture "alexnet"/],
    [['explain', '--model', model, '--data', data], /--methods is required/],
    [['explain', '--model', model, '--data', data, '--methods', 'ig', '--bogus'], /[Uu]nknown option '?--bogus'?/],
    [['train', '--data', data, '--arch', 'small-cnn', '--epochs', '1', '--out', model], /already holds a model \(model\.json\).*\n.*--force/],
    [['train', '--data', data, '--arch', 'small-cnn', '--epochs', '1', '--out', join(dir, 'no', 'such', 'model')], /parent folder .*such does not exist/],
    [['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--npy', join(dir, 'no', 'maps')], /\(--npy\) cannot be made: its parent folder/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 1, `${args.join(' ')}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.ok(!hasStackTrace(r.stderr), `stack trace for ${args.join(' ')}:\n${r.stderr}`);
  }
});

test('--backend forces the backend and it is reported', () => {
  const r = runCli(['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--limit', '1', '--backend', 'cpu', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).backend.name, 'cpu');
  const bad = runCli(['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--backend', 'tensorflow-gpu']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /No compute backend could be started.*tensorflow-gpu/);
});

test('--per-class takes the first N images of each class, the classes in turn', () => {
  const r = runCli(['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--per-class', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const images = JSON.parse(r.stdout).images.map((i: { image: string }) => i.image);
  assert.deepEqual(images, ['circle/0000.png', 'square/0001.png', 'triangle/0002.png', 'circle/0003.png', 'square/0004.png', 'triangle/0005.png']);
});
