// An index palette (Okabe-Ito, readable by colour-blind readers) for series that are not methods. Methods have their
// own fixed colour and name in shared/method-display.ts, used by every chart.
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function colorFor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Line dash of a series: solid for the first round of colours, then dashed, then dotted, so that up to 24 methods
 *  stay apart when colours repeat. */
export function dashFor(index: number): number[] {
  const round = Math.floor(index / PALETTE.length) % 3;
  return round === 0 ? [] : round === 1 ? [7, 4] : [2, 3];
}

/** The same colour with alpha, for bands. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
