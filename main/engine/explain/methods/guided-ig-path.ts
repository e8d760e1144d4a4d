// The Guided IG path (Kapishnikov et al. 2021), as PAIR's guided_ig_impl: start at the baseline; at every step move the
// `fraction` of features with the smallest |gradient| towards the input, far enough that the L1 distance to the input
// falls to l1_total (1 - step/steps), while no feature's alpha (its own progress from baseline to input) leaves
// [alpha - maxDist, alpha + maxDist]; attributions accumulate (x_new - x_old) ⊙ grad(x_old). The path ends at the input
// (l1 = 0 after the last step). Pure: plain float64 arrays and a gradient callback, in the same order as PAIR.
import { selectKth } from '../../stats/select-kth';

const EPSILON = 1e-9;

export interface GuidedIgOptions {
  steps: number;
  fraction: number;
  maxDist: number;
}

function l1(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s;
}

function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(EPSILON * Math.max(Math.abs(a), Math.abs(b)), EPSILON);
}

export function guidedIgPath(xInput: Float64Array, xBaseline: Float64Array, gradient: (x: Float64Array) => Float64Array,
  o: GuidedIgOptions): { attribution: Float64Array; end: Float64Array } {
  const n = xInput.length;
  const x = Float64Array.from(xBaseline);
  const attr = new Float64Array(n);
  const l1Total = l1(xInput, xBaseline);
  if (l1Total === 0) return { attribution: attr, end: x };
  const xMin = new Float64Array(n);
  const xMax = new Float64Array(n);
  const xOld = new Float64Array(n);
  const absGrad = new Float64Array(n);
  const selected = new Uint8Array(n);
  for (let step = 0; step < o.steps; step++) {
    const gradActual = gradient(x);
    const grad = Float64Array.from(gradActual);
    const alpha = (step + 1) / o.steps;
    const alphaMin = Math.max(alpha - o.maxDist, 0);
    const alphaMax = Math.min(alpha + o.maxDist, 1);
    for (let i = 0; i < n; i++) {
      const d = xInput[i] - xBaseline[i];
      xMin[i] = xBaseline[i] + d * alphaMin;
      xMax[i] = xBaseline[i] + d * alphaMax;
    }
    const l1Target = l1Total * (1 - (step + 1) / o.steps);
    let gamma = Infinity;
    while (gamma > 1) {
      xOld.set(x);
      for (let i = 0; i < n; i++) {
        const d = xInput[i] - xBaseline[i];
        const xAlpha = d !== 0 ? (x[i] - xBaseline[i]) / d : alphaMax;
        // Features that fell too far behind jump to the slowest allowed point.
        if (xAlpha < alphaMin) x[i] = xMin[i];
      }
      const l1Current = l1(x, xInput);
      if (isClose(l1Target, l1Current)) {
        for (let i = 0; i < n; i++) attr[i] += (x[i] - xOld[i]) * gradActual[i];
        break;
      }
      // Features already at x_max are out of the selection.
      for (let i = 0; i < n; i++) {
        if (x[i] === xMax[i]) grad[i] = Infinity;
        absGrad[i] = Math.abs(grad[i]);
      }
      const threshold = selectKth(Float64Array.from(absGrad), Math.floor(o.fraction * (n - 1)));
      let l1S = 0;
      for (let i = 0; i < n; i++) {
        selected[i] = absGrad[i] <= threshold && grad[i] !== Infinity ? 1 : 0;
        if (selected[i]) l1S += Math.abs(x[i] - xMax[i]);
      }
      gamma = l1S > 0 ? (l1Current - l1Target) / l1S : Infinity;
      if (gamma > 1) {
        for (let i = 0; i < n; i++) if (selected[i]) x[i] = xMax[i];
      } else {
        for (let i = 0; i < n; i++) if (selected[i]) x[i] = x[i] + (xMax[i] - x[i]) * gamma;
      }
      for (let i = 0; i < n; i++) attr[i] += (x[i] - xOld[i]) * gradActual[i];
      // PAIR loops forever when nothing is left to move but the target is not met (only through rounding); stop instead.
      if (l1S === 0) break;
    }
  }
  return { attribution: attr, end: x };
}
