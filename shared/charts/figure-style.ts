// Figure sizes for papers and the style a chart takes at that size. A figure is drawn at its printed size (CSS pixels,
// 96 per inch), so a font of 10 px is 7.5 pt on paper, whatever the PNG's DPI: `column` (3.3 in, one column of a
// two-column paper), `page` (6.9 in, the full text width) or W x H with a unit (in, cm, mm, px; inches without one).
// Titles are off in figures by default (the caption belongs to the paper); the window shows them.
import type { ChartConfiguration } from 'chart.js';

export const FIGURE_SIZE_NAMES = ['column', 'page'] as const;
export type FigureSizeName = (typeof FIGURE_SIZE_NAMES)[number];

export interface FigureSize {
  /** CSS pixels (1/96 in). */
  width: number;
  /** CSS pixels; null: as the figure's content needs (map grids), or the chart's own aspect ratio. */
  height: number | null;
  /** Base font size in CSS pixels. */
  fontSize: number;
}

const PX_PER: Record<string, number> = { in: 96, cm: 96 / 2.54, mm: 96 / 25.4, px: 1, pt: 96 / 72 };

/** The named sizes: width and a default height for charts, with the font that reads well at that width. */
export const NAMED_SIZES: Record<FigureSizeName, { width: number; height: number; fontSize: number; text: string }> = {
  column: { width: Math.round(3.3 * 96), height: Math.round(2.5 * 96), fontSize: 10, text: '3.3 x 2.5 in, 7.5 pt text' },
  page: { width: Math.round(6.9 * 96), height: Math.round(3.2 * 96), fontSize: 11, text: '6.9 x 3.2 in, 8.25 pt text' },
};

/** The font for a figure this wide: 10 px (7.5 pt) up to 4.5 in, then 11 px. */
export function fontForWidth(width: number): number {
  return width <= 4.5 * 96 ? 10 : 11;
}

/**
 * "column", "page", "3.3x2.4" (inches), "85mmx60mm", "8cmx6cm", "640x400px", or a width alone ("3.3in": the height
 * follows the figure). Throws an Error whose message says what is accepted.
 */
export function parseFigureSize(text: string): FigureSize {
  const s = text.trim().toLowerCase();
  if (s === 'column' || s === 'page') {
    const n = NAMED_SIZES[s];
    return { width: n.width, height: n.height, fontSize: n.fontSize };
  }
  const m = /^(\d+(?:\.\d+)?)\s*(in|cm|mm|px|pt)?\s*(?:x\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|px|pt)?)?$/.exec(s);
  if (!m) throw new Error(`a figure size is column (3.3 in wide), page (6.9 in) or WxH such as 3.3x2.4 (inches), 85mmx60mm or 640x400px (got "${text}")`);
  const unitW = m[2] ?? m[4] ?? 'in';
  const unitH = m[4] ?? m[2] ?? 'in';
  const width = Math.round(Number(m[1]) * PX_PER[unitW]);
  const height = m[3] === undefined ? null : Math.round(Number(m[3]) * PX_PER[unitH]);
  if (width < 96 || width > 40 * 96 || (height !== null && (height < 72 || height > 40 * 96))) {
    throw new Error(`a figure is between 1 and 40 inches wide and 0.75 and 40 inches high (got "${text}")`);
  }
  return { width, height, fontSize: fontForWidth(width) };
}

export interface ChartStyle {
  /** Show the chart's title (default true: the window; exported figures pass false unless asked). */
  title?: boolean;
  /** Base font size in CSS pixels (default Chart.js's 12). */
  fontSize?: number;
}

type AnyOptions = Record<string, any>;

/** The configuration with the style applied: title on or off, every text at the figure's font size, legend swatches
 *  and points scaled with it. Returns a new configuration; the input is not changed. */
export function styleChart(config: ChartConfiguration, style: ChartStyle): ChartConfiguration {
  const options: AnyOptions = { ...(config.options as AnyOptions) };
  const plugins: AnyOptions = { ...(options.plugins ?? {}) };
  const fs = style.fontSize;
  plugins.title = { ...(plugins.title ?? {}), display: style.title ?? true, ...(fs ? { font: { size: fs + 1, weight: 'bold' }, padding: { top: 2, bottom: fs * 0.6 } } : {}) };
  if (fs) {
    const legend: AnyOptions = { ...(plugins.legend ?? {}) };
    legend.labels = { ...(legend.labels ?? {}), font: { size: fs }, boxWidth: Math.round(fs * 2.2), boxHeight: Math.round(fs * 0.8), padding: Math.round(fs * 0.8) };
    plugins.legend = legend;
    if (plugins.dixVerticalLine) plugins.dixVerticalLine = { ...plugins.dixVerticalLine, fontSize: fs - 1 };
    const scales: AnyOptions = {};
    // Category and value axes get the figure's font even when the chart leaves them to Chart.js's defaults.
    const given = { x: {}, y: {}, ...((options.scales ?? {}) as AnyOptions) };
    for (const [id, scale] of Object.entries(given as AnyOptions)) {
      scales[id] = {
        ...scale,
        ticks: { ...(scale.ticks ?? {}), font: { size: fs - 1 } },
        title: { ...(scale.title ?? {}), font: { size: fs }, padding: 2 },
      };
    }
    options.scales = scales;
    options.layout = { ...(options.layout ?? {}), padding: Math.round(fs * 0.5) };
  }
  options.plugins = plugins;
  return { ...config, options } as ChartConfiguration;
}
