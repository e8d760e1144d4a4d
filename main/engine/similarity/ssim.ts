// Structural similarity (Wang et al. 2004) exactly as skimage.metrics.structural_similarity computes it with
// gaussian_weights=False (its default): a uniform win x win window (7), sample covariances (N/(N-1) with N = 49,
// use_sample_covariance=True), C1 = (K1 R)^2, C2 = (K2 R)^2 with K1 = 0.01, K2 = 0.03 and data range R, then the
// mean of the SSIM image over the windows that lie wholly inside the image (skimage crops (win-1)/2 pixels from
// each border before averaging, so its reflect padding never counts). The measure min-max normalizes both maps to
// [0, 1] first (R = 1), as docs/methods.md §5.7.3; Adebayo et al.'s notebook uses Gaussian weights instead (see
// docs/methods.md §5.7.3). A map smaller than the window gives NaN (skimage raises).
import { checkMapSizes, type SimilarityMeasure } from './measure';
import { minMaxNormalize } from './min-max';

export interface SsimOptions {
  winSize: number;
  dataRange: number;
  k1: number;
  k2: number;
}

export const SSIM_DEFAULTS: SsimOptions = { winSize: 7, dataRange: 1, k1: 0.01, k2: 0.03 };

/** Summed-area table with a zero first row and column: sat[(i) (w+1) + j] = sum of f over rows < i, columns < j. */
function summedArea(h: number, w: number, f: (k: number) => number): Float64Array {
  const sat = new Float64Array((h + 1) * (w + 1));
  for (let i = 0; i < h; i++) {
    let row = 0;
    for (let j = 0; j < w; j++) {
      row += f(i * w + j);
      sat[(i + 1) * (w + 1) + j + 1] = sat[i * (w + 1) + j + 1] + row;
    }
  }
  return sat;
}

/** Mean SSIM of two h x w images (no normalization here; values are taken as they are). */
export function ssim(x: ArrayLike<number>, y: ArrayLike<number>, h: number, w: number, options: Partial<SsimOptions> = {}): number {
  checkMapSizes(x, y, h, w);
  const { winSize, dataRange, k1, k2 } = { ...SSIM_DEFAULTS, ...options };
  if (h < winSize || w < winSize) return NaN;
  const np = winSize * winSize;
  const covNorm = np / (np - 1);
  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const sx = summedArea(h, w, (k) => x[k]);
  const sy = summedArea(h, w, (k) => y[k]);
  const sxx = summedArea(h, w, (k) => x[k] * x[k]);
  const syy = summedArea(h, w, (k) => y[k] * y[k]);
  const sxy = summedArea(h, w, (k) => x[k] * y[k]);
  const W = w + 1;
  const windowMean = (sat: Float64Array, i: number, j: number) =>
    (sat[(i + winSize) * W + j + winSize] - sat[i * W + j + winSize] - sat[(i + winSize) * W + j] + sat[i * W + j]) / np;
  let total = 0;
  const rows = h - winSize + 1;
  const cols = w - winSize + 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const ux = windowMean(sx, i, j);
      const uy = windowMean(sy, i, j);
      const vx = covNorm * (windowMean(sxx, i, j) - ux * ux);
      const vy = covNorm * (windowMean(syy, i, j) - uy * uy);
      const vxy = covNorm * (windowMean(sxy, i, j) - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
  }
  return total / (rows * cols);
}

export const ssimMeasure: SimilarityMeasure = {
  id: 'ssim',
  version: 1,
  title: 'SSIM',
  summary: 'structural similarity of the min-max maps (7x7 uniform window, data range 1)',
  compute(a, b, h, w) {
    checkMapSizes(a, b, h, w);
    return ssim(minMaxNormalize(a), minMaxNormalize(b), h, w);
  },
  notApplicable: (h, w) => (h < SSIM_DEFAULTS.winSize || w < SSIM_DEFAULTS.winSize
    ? `the map (${h}x${w}) is smaller than the ${SSIM_DEFAULTS.winSize}x${SSIM_DEFAULTS.winSize} SSIM window` : null),
};
