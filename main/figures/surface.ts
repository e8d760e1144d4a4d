// One drawing surface for every figure format: a raster canvas for PNG (scaled to the requested DPI), an SVG canvas
// (text stays text: searchable, editable, and set in the reader's sans-serif font) and a PDF page, both vector.
import { createCanvas, PDFDocument, SvgExportFlag } from '@napi-rs/canvas';

export const FIGURE_FORMATS = ['png', 'svg', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];

export interface SurfaceOptions {
  format: FigureFormat;
  /** Size in CSS pixels (1/96 inch). */
  width: number;
  height: number;
  /** PNG resolution; 96 = one pixel per CSS pixel. */
  dpi?: number;
}

export type Ctx2D = ReturnType<ReturnType<typeof createCanvas>['getContext']>;

/** What a painter gets: the context, a canvas-like object for libraries that want one (Chart.js), and the PNG scale
 *  (1 for vector formats). A raster painter either draws through `scale` or lets a library apply it. */
export interface Surface {
  ctx: Ctx2D;
  canvas: { width: number; height: number; style: Record<string, string> };
  pixelRatio: number;
}

export function isFigureFormat(s: string): s is FigureFormat {
  return (FIGURE_FORMATS as readonly string[]).includes(s);
}

/** Runs `paint` on a fresh surface and returns the encoded file. `paint` may return a cleanup run after encoding. */
export function renderSurface(o: SurfaceOptions, paint: (s: Surface) => (() => void) | void): Buffer {
  const { width, height } = o;
  const withCanvas = (ctx: Ctx2D, canvas: Surface['canvas']) => {
    if (!(ctx as { canvas?: unknown }).canvas) Object.defineProperty(ctx, 'canvas', { value: canvas });
    return ctx;
  };
  if (o.format === 'png') {
    const canvas = Object.assign(createCanvas(width, height), { style: {} as Record<string, string> });
    const cleanup = paint({ ctx: withCanvas(canvas.getContext('2d'), canvas), canvas, pixelRatio: (o.dpi ?? 96) / 96 });
    const out = canvas.toBuffer('image/png');
    cleanup?.();
    return out;
  }
  if (o.format === 'svg') {
    const canvas = Object.assign(createCanvas(width, height, SvgExportFlag.NoPrettyXML), { style: {} as Record<string, string> });
    const cleanup = paint({ ctx: withCanvas(canvas.getContext('2d') as unknown as Ctx2D, canvas), canvas, pixelRatio: 1 });
    const out = canvas.getContent();
    cleanup?.();
    return out;
  }
  const doc = new PDFDocument({ creator: 'DIX Workbench' });
  const page = doc.beginPage(width, height) as unknown as Ctx2D;
  const canvas = { width, height, style: {} as Record<string, string>, getContext: () => page };
  const cleanup = paint({ ctx: withCanvas(page, canvas), canvas, pixelRatio: 1 });
  doc.endPage();
  const out = doc.close();
  cleanup?.();
  return out;
}
