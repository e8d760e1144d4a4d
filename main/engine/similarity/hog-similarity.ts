// HOG similarity (docs/methods.md §5.7.4): Pearson correlation of the HOG feature vectors (hog.ts: 9 orientations, 8x8-pixel
// cells, 3x3-cell blocks, L2-Hys) of the two min-max-normalized maps. Adebayo et al.'s notebook takes a Spearman
// correlation of HOGs with 16x16 cells instead; docs/methods.md §5.7.4 says why the workbench fixes these settings.
// NaN when the map holds no whole block (under 24 px a side) or when a HOG vector is constant (e.g. a flat map).
import { pearsonCorrelation } from './correlation';
import { HOG_DEFAULTS, hogBlockGrid, hogFeatures } from './hog';
import { checkMapSizes, type SimilarityMeasure } from './measure';
import { minMaxNormalize } from './min-max';

export const hogPearson: SimilarityMeasure = {
  id: 'hog-pearson',
  version: 1,
  title: 'HOG similarity',
  summary: 'Pearson correlation of HOG features of the min-max maps (9 orientations, 8x8 cells, 3x3 blocks, L2-Hys)',
  compute(a, b, h, w) {
    checkMapSizes(a, b, h, w);
    const fa = hogFeatures(minMaxNormalize(a), h, w);
    if (fa.length === 0) return NaN;
    return pearsonCorrelation(fa, hogFeatures(minMaxNormalize(b), h, w));
  },
  notApplicable(h, w) {
    const [r, c] = hogBlockGrid(h, w);
    if (r > 0 && c > 0) return null;
    const [pr, pc] = HOG_DEFAULTS.pixelsPerCell;
    const [br, bc] = HOG_DEFAULTS.cellsPerBlock;
    return `the map (${h}x${w}) holds no whole HOG block of ${br}x${bc} cells of ${pr}x${pc} pixels (needs ${br * pr}x${bc * pc})`;
  },
};
