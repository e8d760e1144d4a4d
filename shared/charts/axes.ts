// Axes that fit the data: a value axis whose range holds every value drawn (means, interval bands, whiskers), with
// ticks at round values (1.0, 0.5, 0, -0.5; or 0.25, 0.2, 100, ...). A sanity curve that falls to -0.6 is drawn, not cut.

export interface AxisFit {
  min: number;
  max: number;
  /** Distance between ticks. */
  step: number;
}

export interface FitOptions {
  /** Values the axis must also hold (e.g. 0 for bars, 1 for a correlation's trained step). */
  include?: readonly number[];
  /** The measure's own bounds (e.g. [-1, 1] for a correlation): the axis never goes past them. */
  bounds?: readonly [number, number];
  /** About how many ticks (default 4 intervals). */
  intervals?: number;
}

const NICE = [1, 2, 2.5, 5, 10];

/** The smallest round step (1, 2, 2.5 or 5 times a power of ten) at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const n of NICE) if (n * p >= raw - 1e-12 * p) return n * p;
  return 10 * p;
}

const tidy = (x: number) => Number(x.toFixed(10)) + 0;

export function fitAxis(values: Iterable<number | null | undefined>, o: FitOptions = {}): AxisFit {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (const v of o.include ?? []) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) return { min: 0, max: 1, step: 0.25 };
  if (o.bounds) {
    lo = Math.max(lo, o.bounds[0]);
    hi = Math.min(hi, o.bounds[1]);
  }
  if (hi - lo < 1e-9) {
    const pad = Math.abs(hi) > 1e-9 ? Math.abs(hi) * 0.1 : 0.5;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / (o.intervals ?? 4));
  let min = tidy(Math.floor(lo / step + 1e-9) * step);
  let max = tidy(Math.ceil(hi / step - 1e-9) * step);
  if (o.bounds) {
    min = Math.max(min, o.bounds[0]);
    max = Math.min(max, o.bounds[1]);
  }
  return { min, max, step };
}

/** Tick labels with as many decimals as the step needs, and a plain "0" ("1.0, 0.5, 0, -0.5"). */
export function tickFormatter(step: number): (value: number | string) => string {
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) - 1e-9) + (String(tidy(step / 10 ** Math.floor(Math.log10(step)))).includes('.') ? 1 : 0)));
  return (value) => {
    const v = Number(value);
    if (Math.abs(v) < step * 1e-6) return '0';
    return v.toFixed(decimals);
  };
}

/** Chart.js scale options of a fitted axis: min, max, one tick per step, round labels. */
export function fittedScale(fit: AxisFit): { min: number; max: number; ticks: { stepSize: number; callback: (v: number | string) => string } } {
  return { min: fit.min, max: fit.max, ticks: { stepSize: fit.step, callback: tickFormatter(fit.step) } };
}
