// Small Chart.js plugins shared by the app's renderer and the CLI's figure export (pure: they draw on the chart's
// own 2-D context, so they work in a browser canvas and in a Node canvas alike).
import type { Chart, Plugin } from 'chart.js';

export interface VerticalLineOptions {
  /** Index of the category where the line is drawn (e.g. where randomization starts); null = none. */
  index: number | null;
  color?: string;
  dash?: number[];
  label?: string;
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
      ctx.font = '11px sans-serif';
      ctx.fillText(options.label, x + 4, top + 12);
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
