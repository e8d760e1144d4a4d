// Small Chart.js plugins shared by the app's renderer and the CLI's figure export (pure: they draw on the chart's
// own 2-D context, so they work in a browser canvas and in a Node canvas alike).
import type { Chart, Plugin } from 'chart.js';

export interface VerticalLineOptions {
  /** Index of the category where the line is drawn (e.g. where randomization starts); null = none. */
  index: number | null;
  color?: string;
  dash?: number[];
  label?: string;
  /** Font size of the label in CSS pixels (default 11). */
  fontSize?: number;
}

/** A dashed vertical line at a category index (the paper's Fig. 4-5 mark where randomization begins). */
export const verticalLinePlugin: Plugin<'line'> = {
  id: 'dixVerticalLine',
  afterDatasetsDraw(chart: Chart, _args, options: VerticalLineOptions) {
    if (options.index === null || options.index === undefined) return;
    const x = chart.scales.x.getPixelForValue(options.index);
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = options.color ?? '#555';
    ctx.lineWidth = 1.5;
    ctx.setLineDash(options.dash ?? [6, 4]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    if (options.label) {
      ctx.setLineDash([]);
      ctx.fillStyle = options.color ?? '#555';
      ctx.font = `${options.fontSize ?? 11}px sans-serif`;
      ctx.fillText(options.label, x + 4, bottom - 4);
    }
    ctx.restore();
  },
};

/** A white background, so exported PNGs are not transparent. */
export const backgroundPlugin: Plugin = {
  id: 'dixBackground',
  beforeDraw(chart: Chart, _args, options: { color?: string }) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.fillStyle = options.color ?? '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

export interface ErrorBarOptions {
  /** Per bar of the first dataset: [low, high] in data units, or null (no whisker). */
  intervals?: Array<[number, number] | null>;
  color?: string;
}

/** Whiskers over the bars of the first dataset: a 95% interval drawn as a vertical line with caps. */
export const errorBarsPlugin: Plugin<'bar'> = {
  id: 'dixErrorBars',
  afterDatasetsDraw(chart: Chart, _args, options: ErrorBarOptions) {
    const intervals = options.intervals;
    if (!intervals || intervals.length === 0) return;
    const meta = chart.getDatasetMeta(0);
    const y = chart.scales.y;
    if (!meta || !y) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = options.color ?? '#222';
    ctx.lineWidth = 1.25;
    ctx.setLineDash([]);
    meta.data.forEach((bar, i) => {
      const iv = intervals[i];
      if (!iv || !Number.isFinite(iv[0]) || !Number.isFinite(iv[1])) return;
      const x = (bar as unknown as { x: number }).x;
      const width = (bar as unknown as { width?: number }).width ?? 12;
      const cap = Math.max(3, Math.min(10, width / 4));
      const lo = y.getPixelForValue(iv[0]);
      const hi = y.getPixelForValue(iv[1]);
      ctx.beginPath();
      ctx.moveTo(x, lo);
      ctx.lineTo(x, hi);
      ctx.moveTo(x - cap, lo);
      ctx.lineTo(x + cap, lo);
      ctx.moveTo(x - cap, hi);
      ctx.lineTo(x + cap, hi);
      ctx.stroke();
    });
    ctx.restore();
  },
};
