// One colour per method, stable across figures (Okabe-Ito, readable by colour-blind readers), with DIX methods first.
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function colorFor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** The same colour with alpha, for bands. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
