// Figures in the three formats from one configuration: PNG at the requested DPI with the chart actually drawn, SVG
// and PDF as vector files with their text as text. Axes that fit the data (a curve at -0.6 is inside the plot) on
// round ticks; one name and colour per method in every chart; paper sizes; map figures with the input image column
// and a colour bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chart, type ChartConfiguration } from 'chart.js';
import { createCanvas } from '@napi-rs/canvas';
import { decodeImage } from '../../main/engine/data/image-decode';
import { renderChart } from '../../main/figures/render-chart';
import { renderMapGrid, gridLayout, gridSize, cellRgba, type MapGridData } from '../../main/figures/map-grid';
import { takeClassesInTurn } from '../../main/service/figures/map-figures';
import { chartConfig } from '../../shared/api-charts';
import { fitAxis, tickFormatter } from '../../shared/charts/axes';
import { barChartConfig } from '../../shared/charts/bars';
import { boxPlotConfig } from '../../shared/charts/box-plot';
import { NAMED_SIZES, parseFigureSize, styleChart } from '../../shared/charts/figure-style';
import { sanityCurveConfig } from '../../shared/charts/sanity-curves';
import { colormap } from '../../shared/colormap';
import { METHOD_STYLES, methodName, seriesStyles } from '../../shared/method-display';

const DIX3 = METHOD_STYLES.dix3.color;
const GRADCAM = METHOD_STYLES.gradcam.color;

const curve = sanityCurveConfig({
  title: 'Cascading randomization', measure: 'Spearman (|map|)', steps: ['trained', 'logits', 'fc1', 'block3_pool'], randomizationStartsAt: 1,
  series: [{ label: 'dix3', mean: [1, 0.7, 0.4, 0.1], lower: [1, 0.6, 0.3, 0], upper: [1, 0.8, 0.5, 0.2] }],
}) as unknown as ChartConfiguration;

function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function countColor(png: Buffer, hex: string, tol = 12, rows?: [number, number]): number {
  const img = decodeImage(png);
  const [r, g, b] = rgbOf(hex);
  let count = 0;
  const [y0, y1] = rows ?? [0, img.height];
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      if (Math.abs(img.rgba[i] - r) <= tol && Math.abs(img.rgba[i + 1] - g) <= tol && Math.abs(img.rgba[i + 2] - b) <= tol) count++;
    }
  }
  return count;
}

function pixel(png: Buffer, x: number, y: number): [number, number, number] {
  const img = decodeImage(png);
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]];
}

function near(a: readonly number[], b: readonly number[], tol = 10): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= tol);
}

/** Lays the chart out as the figure export does (same registration) and returns its scales and plot area. */
function layOut(config: ChartConfiguration, width = 480, height = 300) {
  const canvas = createCanvas(width, height);
  const chart = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, { ...config, options: { ...config.options, animation: false, responsive: false } } as ChartConfiguration);
  const y = chart.scales.y;
  const out = { min: y.min, max: y.max, ticks: y.ticks.map((t) => t.value), labels: y.ticks.map((t) => String(t.label)), area: { ...chart.chartArea }, pixelFor: (v: number) => y.getPixelForValue(v) };
  chart.destroy();
  return out;
}

test('a PNG figure has the size the DPI asks for, and the mean line is drawn in its method colour', () => {
  const at96 = renderChart(curve, { format: 'png', width: 400, height: 250 });
  const at300 = renderChart(curve, { format: 'png', width: 400, height: 250, dpi: 300 });
  assert.deepEqual([decodeImage(at96).width, decodeImage(at96).height], [400, 250]);
  assert.deepEqual([decodeImage(at300).width, decodeImage(at300).height], [1250, 781]);
  assert.ok(countColor(at96, DIX3) > 150, 'line pixels in DIX3 blue');
  const empty = renderChart({ ...curve, data: { labels: [], datasets: [] } } as ChartConfiguration, { format: 'png', width: 400, height: 250 });
  assert.equal(countColor(empty, DIX3), 0, 'no data, no line');
});

test('SVG and PDF figures are vector files of the same chart; SVG text stays text', () => {
  const svg = renderChart(curve, { format: 'svg', width: 400, height: 250 }).toString('utf8');
  assert.match(svg, /^<\?xml[^>]*>\s*<svg/);
  assert.match(svg, /width="400" height="250"/);
  assert.ok((svg.match(/<path/g) ?? []).length > 5, 'lines drawn as paths');
  assert.ok(!/<image/.test(svg), 'no embedded raster');
  assert.ok(svg.toLowerCase().includes(DIX3.toLowerCase()), 'the method colour appears');
  assert.match(svg, /<text[^>]*>\s*DIX3\s*<\/text>/, 'the legend names the method as text, by its display name');
  assert.match(svg, /<text[^>]*>\s*layers randomized, from the top\s*<\/text>/, 'axis titles are text');
  const pdf = renderChart(curve, { format: 'pdf', width: 400, height: 250 });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const text = pdf.toString('latin1');
  assert.match(text, /\/MediaBox \[0 0 400 250\]/);
  assert.ok(!/\/Subtype \/Image/.test(text), 'no embedded raster');
  assert.match(text, /\/FontFile|\/Type \/Font/, 'text is set in an embedded font, not drawn as outlines');
});

test('the y axis fits the data: a sanity curve at -0.6 is inside the plot, on round ticks (1.0, 0.5, 0, -0.5, -1.0)', () => {
  const low = sanityCurveConfig({
    title: 't', measure: 'Spearman (|map|)', steps: ['trained', 'a', 'b', 'c'], randomizationStartsAt: 1,
    series: [{ label: 'gradcam', mean: [1, 0.2, -0.6, -0.6], lower: [1, 0.1, -0.65, -0.7], upper: [1, 0.3, -0.5, -0.5] }],
  }) as unknown as ChartConfiguration;
  const s = layOut(low);
  assert.ok(s.min <= -0.7 && s.max >= 1, `the axis holds every mean and band value (${s.min} to ${s.max})`);
  const y = s.pixelFor(-0.6);
  assert.ok(y > s.area.top && y < s.area.bottom, `-0.6 is drawn inside the plot (y ${y}, plot ${s.area.top} to ${s.area.bottom})`);
  assert.deepEqual(s.ticks, [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(s.labels, ['-1.0', '-0.5', '0', '0.5', '1.0']);
  // And it is drawn there: Grad-CAM's colour on the rows around -0.6.
  const png = renderChart(low, { format: 'png', width: 480, height: 300 });
  assert.ok(countColor(png, GRADCAM, 12, [Math.floor(y - 4), Math.ceil(y + 4)]) > 20, 'the curve is drawn at -0.6');
  // A curve that stays high is not given room below what it needs: 0 to 1.
  assert.deepEqual([layOut(curve).min, layOut(curve).max], [0, 1]);
});

test('fitted axes: round steps and labels, bounds respected', () => {
  assert.deepEqual(fitAxis([0.1, 0.35]), { min: 0.1, max: 0.4, step: 0.1 });
  assert.deepEqual(fitAxis([-0.22, 1], { bounds: [-1, 1] }), { min: -0.5, max: 1, step: 0.5 });
  assert.deepEqual(fitAxis([-3, 1], { bounds: [-1, 1] }), { min: -1, max: 1, step: 0.5 });
  assert.deepEqual(fitAxis([4, 450], { include: [0] }), { min: 0, max: 600, step: 200 });
  assert.deepEqual(fitAxis([]), { min: 0, max: 1, step: 0.25 });
  assert.deepEqual([0.25, 0.5, -0.75].map(tickFormatter(0.25)), ['0.25', '0.50', '-0.75']);
  assert.deepEqual([200, 0].map(tickFormatter(200)), ['200', '0']);
});

test('every method has one display name and colour, whatever the chart and the order of its series', () => {
  assert.equal(methodName('gradcam'), 'Grad-CAM');
  assert.equal(methodName('dix3'), 'DIX3');
  assert.equal(methodName('dix3 N=20 z=zero'), 'DIX3 N=20 z=zero');
  assert.equal(methodName('my-method'), 'my-method');
  const a = seriesStyles(['dix3', 'gradcam', 'ig']);
  const b = seriesStyles(['ig', 'gradcam', 'dix3']);
  assert.deepEqual(a.map((s) => s.color), [b[2].color, b[1].color, b[0].color]);
  const colors = Object.values(METHOD_STYLES).map((s) => `${s.color}|${s.dash.join(',')}`);
  assert.equal(new Set(colors).size, colors.length, 'no two methods look alike');
  // Two configurations of one method in one chart still look different.
  const cfg = seriesStyles(['dix3 N=10', 'dix3 N=20']);
  assert.notEqual(cfg[0].color, cfg[1].color);
  // The same colour in the bars, the box plot and the curves.
  const bars = barChartConfig({ title: '', categories: ['ig', 'dix3'], values: [1, 2], intervals: [[0.5, 1.5], null], yLabel: 'INS' });
  assert.deepEqual(bars.data.datasets[0].backgroundColor, [METHOD_STYLES.ig.color, DIX3]);
  assert.deepEqual(bars.data.labels, ['IG', 'DIX3']);
  const box = boxPlotConfig({ title: '', categories: ['SSIM'], yLabel: 's', groups: [{ label: 'gradcam', values: [[0.1, 0.2]] }] });
  assert.equal(box.data.datasets[0].borderColor, GRADCAM);
  assert.equal(box.data.datasets[0].label, 'Grad-CAM');
});

test('bars carry their 95% intervals as whiskers inside the axis, and axis titles', () => {
  const cfg = barChartConfig({ title: 'INS', categories: ['dix3', 'gradcam'], values: [0.5, 0.4], intervals: [[0.3, 0.9], [0.35, 0.45]], yLabel: 'INS, mean over images', xLabel: 'method' }) as unknown as ChartConfiguration;
  const s = layOut(cfg);
  assert.ok(s.max >= 0.9 && s.min <= 0, 'whiskers fit');
  const opts = cfg.options as { scales: { x: { title: { text: string } }; y: { title: { text: string } } } };
  assert.equal(opts.scales.y.title.text, 'INS, mean over images');
  assert.equal(opts.scales.x.title.text, 'method');
  const png = renderChart(cfg, { format: 'png', width: 400, height: 250 });
  assert.ok(countColor(png, '#222222', 30) > 20, 'whiskers drawn');
});

test('paper sizes: column and page widths, WxH with units; titles off and fonts at the figure size', () => {
  assert.deepEqual(parseFigureSize('column'), { width: NAMED_SIZES.column.width, height: NAMED_SIZES.column.height, fontSize: 10 });
  assert.equal(parseFigureSize('page').width, Math.round(6.9 * 96));
  assert.deepEqual(parseFigureSize('3.3x2.4'), { width: 317, height: 230, fontSize: 10 });
  assert.deepEqual(parseFigureSize('85mmx60mm'), { width: 321, height: 227, fontSize: 10 });
  assert.deepEqual(parseFigureSize('640x400px'), { width: 640, height: 400, fontSize: 11 });
  assert.equal(parseFigureSize('3.3in').height, null);
  assert.throws(() => parseFigureSize('huge'), /column \(3\.3 in wide\), page/);
  const styled = styleChart(curve, { title: false, fontSize: 10 }) as unknown as { options: { plugins: { title: { display: boolean } }; scales: { y: { ticks: { font: { size: number } } } } } };
  assert.equal(styled.options.plugins.title.display, false);
  assert.equal(styled.options.scales.y.ticks.font.size, 9);
  // The window's configuration keeps its title; an export's has none unless asked.
  const spec = { id: 'x', title: 'T', width: 720, height: 400, kind: 'sanity-curves' as const, data: { title: 'T', measure: 'm', steps: ['a'], series: [], randomizationStartsAt: 1 } };
  assert.equal((chartConfig(spec).options as { plugins: { title: { display: boolean } } }).plugins.title.display, true);
  assert.equal((chartConfig(spec, { title: false }).options as { plugins: { title: { display: boolean } } }).plugins.title.display, false);
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

test('map figures: the input image in the first column, method names as column titles, and a colour bar', () => {
  const red = { pixels: Float32Array.from({ length: 8 * 8 * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0)), height: 8, width: 8 };
  const map = Float32Array.from({ length: 16 }, (_, i) => i);
  const d: MapGridData = {
    columnLabels: ['DIX3', 'Grad-CAM'], inputLabel: 'input', colormap: 'jet', opacity: 1, width: NAMED_SIZES.column.width, fontSize: 10,
    rows: [{ label: 'circle', input: red, cells: [{ map, height: 4, width: 4 }, { map, height: 4, width: 4 }] }],
  };
  const l = gridLayout(d);
  assert.equal(l.columnX.length, 3, 'input + two methods');
  assert.ok(l.width === NAMED_SIZES.column.width, 'a column-wide figure');
  const png = renderMapGrid(d, { format: 'png' });
  const mid = l.rowsY + l.cell / 2;
  assert.ok(near(pixel(png, l.columnX[0] + l.cell / 2, mid), [255, 0, 0]), 'the first column is the input image');
  // The map column: a jet map, neither the input's red nor white.
  assert.ok(!near(pixel(png, l.columnX[1] + l.cell / 2, mid), [255, 0, 0]) && !near(pixel(png, l.columnX[1] + l.cell / 2, mid), [255, 255, 255]));
  // The colour bar runs from the colormap's low end to its high end.
  assert.ok(l.bar, 'a colour bar');
  const bar = l.bar!;
  assert.ok(bar.y > l.rowsY + l.cell, 'under the maps');
  assert.ok(near(pixel(png, bar.x + 2, bar.y + bar.height / 2), colormap('jet')(0), 25), 'low end');
  assert.ok(near(pixel(png, bar.x + bar.width - 2, bar.y + bar.height / 2), colormap('jet')(1), 25), 'high end');
  // Another colormap changes the bar with the maps.
  const viridis = renderMapGrid({ ...d, colormap: 'viridis' }, { format: 'png' });
  assert.ok(near(pixel(viridis, bar.x + bar.width - 2, bar.y + bar.height / 2), colormap('viridis')(1), 25));
  // Titles and labels are text in SVG; no title unless asked.
  const svg = renderMapGrid(d, { format: 'svg' }).toString('utf8');
  for (const t of ['input', 'DIX3', 'Grad-CAM', 'circle', '0', '1']) assert.match(svg, new RegExp(`<text[^>]*>\\s*${t}\\s*</text>`), `"${t}" is text`);
  assert.ok(!svg.includes('Job'), 'no job number');
  assert.equal(gridLayout({ ...d, colorBar: false }).bar, null);
});

test('a map figure whose height shrinks its cells sizes the column titles for the cells it ends with (no overlap)', () => {
  const map = Float32Array.from({ length: 16 }, (_, i) => i);
  const methods = ['DIX3', 'IG', 'Grad-CAM', 'Grad-CAM++', 'LayerCAM', 'FullGrad', 'SmoothGrad', 'Guided IG'];
  const d: MapGridData = {
    columnLabels: methods, inputLabel: 'input', width: NAMED_SIZES.page.width, height: NAMED_SIZES.page.height, fontSize: 11,
    rows: Array.from({ length: 10 }, (_, r) => ({ label: `class ${r}`, cells: methods.map(() => ({ map, height: 4, width: 4 })) })),
  };
  const l = gridLayout(d);
  assert.ok(l.cell < (NAMED_SIZES.page.width - l.labelWidth) / 9 - 10, `the height shrank the cells (${l.cell} px)`);
  // The same cells laid out without a size constraint: the titles they need.
  const free = gridLayout({ ...d, width: undefined, height: undefined, cellSize: l.cell });
  assert.deepEqual([l.headerFont, l.headerAngle], [free.headerFont, free.headerAngle]);
  assert.ok(l.height <= NAMED_SIZES.page.height + 1, `the figure stays within its height (${l.height})`);
});

test('the comparison samples rows across classes in turn', () => {
  const items = ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'].map((id) => ({ id, cls: id[0] }));
  assert.deepEqual(takeClassesInTurn(items, (x) => x.cls, 4).map((x) => x.id), ['a1', 'b1', 'c1', 'a2']);
  assert.deepEqual(takeClassesInTurn(items, (x) => x.cls, 10).map((x) => x.id), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
});
