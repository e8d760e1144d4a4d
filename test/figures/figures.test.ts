// Figures in the three formats from one configuration: PNG at the requested DPI with the chart actually drawn,
// SVG and PDF as vector files (paths, no embedded raster for charts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImage } from '../../main/engine/data/image-decode';
import { renderChart } from '../../main/figures/render-chart';
import { renderMapGrid, gridSize, cellRgba } from '../../main/figures/map-grid';
import { sanityCurveConfig } from '../../shared/charts/sanity-curves';
import { boxPlotConfig } from '../../shared/charts/box-plot';
import { PALETTE } from '../../shared/charts/palette';
import type { ChartConfiguration } from 'chart.js';

const curve = sanityCurveConfig({
  title: 'Cascading randomization', measure: 'Spearman (|map|)', steps: ['original', 'logits', 'fc1', 'block3_pool'], randomizationStartsAt: 1,
  series: [{ label: 'DIX3', mean: [1, 0.7, 0.4, 0.1], lower: [1, 0.6, 0.3, 0], upper: [1, 0.8, 0.5, 0.2] }],
}) as unknown as ChartConfiguration;

function countColor(png: Buffer, hex: string, tol = 12): number {
  const img = decodeImage(png);
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  let count = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    if (Math.abs(img.rgba[i] - r) <= tol && Math.abs(img.rgba[i + 1] - g) <= tol && Math.abs(img.rgba[i + 2] - b) <= tol) count++;
  }
  return count;
}

test('a PNG figure has the size the DPI asks for, and the mean line is drawn in its colour', () => {
  const at96 = renderChart(curve, { format: 'png', width: 400, height: 250 });
  const at300 = renderChart(curve, { format: 'png', width: 400, height: 250, dpi: 300 });
  assert.deepEqual([decodeImage(at96).width, decodeImage(at96).height], [400, 250]);
  assert.deepEqual([decodeImage(at300).width, decodeImage(at300).height], [1250, 781]);
  assert.ok(countColor(at96, PALETTE[0]) > 150, 'line pixels in the first method colour');
  const empty = renderChart({ ...curve, data: { labels: [], datasets: [] } } as ChartConfiguration, { format: 'png', width: 400, height: 250 });
  assert.equal(countColor(empty, PALETTE[0]), 0, 'no data, no line');
});

test('SVG and PDF figures are vector files of the same chart', () => {
  const svg = renderChart(curve, { format: 'svg', width: 400, height: 250 }).toString('utf8');
  assert.match(svg, /^<\?xml[^>]*>\s*<svg/);
  assert.match(svg, /width="400" height="250"/);
  assert.ok((svg.match(/<path/g) ?? []).length > 20, 'drawn as paths');
  assert.ok(!/<image/.test(svg), 'no embedded raster');
  assert.ok(svg.toLowerCase().includes(PALETTE[0].toLowerCase()), 'the method colour appears');
  const pdf = renderChart(curve, { format: 'pdf', width: 400, height: 250 });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const text = pdf.toString('latin1');
  assert.match(text, /\/MediaBox \[0 0 400 250\]/);
  assert.ok(!/\/Subtype \/Image/.test(text), 'no embedded raster');
});

test('the data randomization box plot renders a box per method and category', () => {
  const cfg = boxPlotConfig({ title: 'Data randomization', categories: ['spearman-abs', 'ssim'], yLabel: 'similarity',
    groups: [{ label: 'DIX3', values: [[0.1, 0.2, 0.3, 0.4], [0.2, 0.3, 0.4, 0.5]] }] });
  const png = renderChart(cfg, { format: 'png', width: 400, height: 250 });
  assert.ok(countColor(png, PALETTE[0]) > 40, 'box outlines in the method colour');
});

test('map grid: cells are min-max normalized and colour-mapped; all formats render', () => {
  const map = Float32Array.from([0, 1, 2, 3]);
  const rgba = cellRgba({ map, height: 2, width: 2 }, 'gray', 1);
  assert.deepEqual(Array.from(rgba.filter((_, i) => i % 4 === 0)), [0, 85, 170, 255]);
  const d = { columnLabels: ['original', 'step 1'], rows: [{ label: 'img', cells: [{ map, height: 2, width: 2 }, null] }], cellSize: 40 };
  const { width, height } = gridSize(d);
  const png = decodeImage(renderMapGrid(d, { format: 'png', dpi: 192 }));
  assert.deepEqual([png.width, png.height], [2 * width, 2 * height]);
  assert.match(renderMapGrid(d, { format: 'svg' }).toString('utf8'), /<svg/);
  assert.equal(renderMapGrid(d, { format: 'pdf' }).subarray(0, 5).toString(), '%PDF-');
});
