// The --png overlay as a figure: the input image in front (on request), the overlay enlarged by whole pixels, and a
// colour bar from the map's maximum (top) to its minimum (bottom); checked pixel by pixel and through the real CLI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { colormap } from '../../shared/colormap';
import { overlayPanel } from '../../main/engine/data/overlay-panel';
import { overlayRgb } from '../../main/engine/data/overlay';
import { decodeImage } from '../../main/engine/data/image-decode';
import { runCli } from '../helpers/run-cli';
import { makeDataset, makeModel, FIXTURE_SIZE } from '../helpers/workbench-fixtures';
import { tempDir } from '../store/helpers';

const H = 32;
const W = 32;
const image = Float32Array.from({ length: H * W }, (_, i) => (i % W) / W); // a grey ramp, one channel
const map = Float32Array.from({ length: H * W }, (_, i) => Math.floor(i / W) - 20); // rows from -20 to 11

const pixel = (p: { width: number; data: Uint8Array }, x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 3, (y * p.width + x) * 3 + 3));

test('a panel holds the input, the overlay enlarged by whole pixels, and a colour bar from the maximum (top) to the minimum', () => {
  const p = overlayPanel(image, map, { height: H, width: W, colormap: 'viridis', opacity: 0.5, input: true });
  assert.equal(p.scale, 4, '32 px are enlarged 4 times to reach 128');
  assert.equal(p.height, 128);
  const over = overlayRgb(image, map, { height: H, width: W, colormap: 'viridis', opacity: 0.5 });
  // Input tile: the grey image itself; overlay tile: the blended pixels, each repeated over 4x4.
  assert.deepEqual(pixel(p, 4 * 17 + 3, 4 * 9 + 2), Array(3).fill(Math.round(255 * (17 / W))));
  const x0 = 128 + 4;
  assert.deepEqual(pixel(p, x0 + 4 * 5 + 1, 4 * 30 + 3), Array.from(over.subarray((30 * W + 5) * 3, (30 * W + 5) * 3 + 3)));
  // The bar: the colormap's high end at the top, its low end at the bottom.
  const bar = p.width - 2;
  assert.deepEqual(pixel(p, bar, 0), colormap('viridis')(1));
  assert.deepEqual(pixel(p, bar, p.height - 1), colormap('viridis')(0));
  const plain = overlayPanel(image, map, { height: H, width: W });
  assert.ok(plain.width < p.width - 128, 'without input, one tile and the bar');
});

let dir: string;
let cleanup: () => void;
let data: string;
let model: string;

before(async () => {
  ({ dir, cleanup } = tempDir('dixw-panel-'));
  data = makeDataset(dir);
  model = await makeModel(dir);
});
after(() => cleanup());

test('dixw explain --png writes overlays with a colour bar; --png-input puts the image first; --png-plain keeps the bare overlay', () => {
  const db = join(dir, 'panel.db');
  const common = ['explain', '--model', model, '--data', data, '--methods', 'gradcam', '--limit', '1', '--db', db];
  const size = (out: string) => {
    const img = decodeImage(readFileSync(join(out, 'gradcam', 'circle', '0000.png')));
    return [img.width, img.height];
  };
  const k = Math.ceil(128 / FIXTURE_SIZE);
  const bar = Math.max(8, Math.round((FIXTURE_SIZE * k) / 12));
  for (const [flag, width, height] of [[[], FIXTURE_SIZE * k + 4 + bar, FIXTURE_SIZE * k], [['--png-input'], 2 * (FIXTURE_SIZE * k + 4) + bar, FIXTURE_SIZE * k],
    [['--png-plain'], FIXTURE_SIZE, FIXTURE_SIZE]] as Array<[string[], number, number]>) {
    const out = join(dir, `png${flag.join('')}`);
    const r = runCli([...common, '--png', out, ...flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(size(out), [width, height], flag.join(' ') || 'default');
  }
  const bad = runCli([...common, '--png-input']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^dixw explain: --png-input shapes the --png overlays, and --png is not given\.\nAdd --png OUT\./);
});
