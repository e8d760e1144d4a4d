// Histogram of oriented gradients as skimage.feature.hog computes it (0.19; the code path is unchanged since 0.14)
// for one 2-D channel with transform_sqrt=False and feature_vector=True, ported so that the sanity tests' HOG
// similarity matches the Python tooling the paper's authors used:
// - gradient: central differences without the 1/2, g_row[r] = I[r+1] - I[r-1] (rows) and g_col likewise
//   (columns); the first and last row of g_row and column of g_col are 0.
// - orientation: atan2(g_row, g_col) in degrees, modulo 180 (unsigned gradients, Python's modulo), in [0, 180).
// - binning: hard assignment, no interpolation between bins or cells: bin i holds [i*180/B, (i+1)*180/B); each
//   cell's histogram is the sum of the magnitudes hypot(g_row, g_col) of its pixels divided by the cell's pixel
//   count. Cells tile the image from the top-left; rows and columns past the last whole cell are ignored.
// - blocks: every bx x by window of cells, stride one cell; L2-Hys: v / sqrt(|v|^2 + eps^2), clip at 0.2, then
//   the same L2 normalization again (eps = 1e-5).
// - the feature vector is laid out as (block row, block column, cell row, cell column, orientation).
// skimage sums each cell in float32 (its Cython accumulator); this port uses float64 throughout.

export interface HogOptions {
  orientations: number;
  /** [rows, columns] of pixels per cell. */
  pixelsPerCell: [number, number];
  /** [rows, columns] of cells per block. */
  cellsPerBlock: [number, number];
}

export const HOG_DEFAULTS: HogOptions = { orientations: 9, pixelsPerCell: [8, 8], cellsPerBlock: [3, 3] };

const EPS = 1e-5;

/** Number of blocks along rows and columns (0 when the image holds no whole block). */
export function hogBlockGrid(h: number, w: number, o: HogOptions = HOG_DEFAULTS): [number, number] {
  const cellsR = Math.floor(h / o.pixelsPerCell[0]);
  const cellsC = Math.floor(w / o.pixelsPerCell[1]);
  return [Math.max(0, cellsR - o.cellsPerBlock[0] + 1), Math.max(0, cellsC - o.cellsPerBlock[1] + 1)];
}

/** Central-difference gradients along rows and columns, zero on the borders they cannot reach. */
export function hogGradients(img: ArrayLike<number>, h: number, w: number): { gRow: Float64Array; gCol: Float64Array } {
  const gRow = new Float64Array(h * w);
  const gCol = new Float64Array(h * w);
  for (let r = 1; r < h - 1; r++) for (let c = 0; c < w; c++) gRow[r * w + c] = img[(r + 1) * w + c] - img[(r - 1) * w + c];
  for (let r = 0; r < h; r++) for (let c = 1; c < w - 1; c++) gCol[r * w + c] = img[r * w + c + 1] - img[r * w + c - 1];
  return { gRow, gCol };
}

/** Per-cell orientation histograms, [cellsR, cellsC, orientations] row-major. */
export function hogCellHistograms(img: ArrayLike<number>, h: number, w: number, o: HogOptions = HOG_DEFAULTS): Float64Array {
  const [pr, pc] = o.pixelsPerCell;
  const cellsR = Math.floor(h / pr);
  const cellsC = Math.floor(w / pc);
  const bins = o.orientations;
  const binWidth = 180 / bins;
  const hist = new Float64Array(cellsR * cellsC * bins);
  const { gRow, gCol } = hogGradients(img, h, w);
  for (let r = 0; r < cellsR * pr; r++) {
    for (let c = 0; c < cellsC * pc; c++) {
      const k = r * w + c;
      const deg = (Math.atan2(gRow[k], gCol[k]) * 180) / Math.PI;
      const angle = deg - 180 * Math.floor(deg / 180); // Python's %: a tiny negative angle rounds to 180, in no bin
      const bin = Math.floor(angle / binWidth);
      if (bin < 0 || bin >= bins) continue;
      hist[(Math.floor(r / pr) * cellsC + Math.floor(c / pc)) * bins + bin] += Math.hypot(gRow[k], gCol[k]);
    }
  }
  for (let i = 0; i < hist.length; i++) hist[i] /= pr * pc;
  return hist;
}

function l2Hys(block: Float64Array): Float64Array {
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) + EPS * EPS);
  const n1 = norm(block);
  const clipped = block.map((x) => Math.min(x / n1, 0.2));
  const n2 = norm(clipped);
  return clipped.map((x) => x / n2);
}

/** The HOG feature vector; empty when the image holds no whole block (skimage raises a ValueError then). */
export function hogFeatures(img: ArrayLike<number>, h: number, w: number, o: HogOptions = HOG_DEFAULTS): Float64Array {
  const [blocksR, blocksC] = hogBlockGrid(h, w, o);
  if (blocksR === 0 || blocksC === 0) return new Float64Array(0);
  const hist = hogCellHistograms(img, h, w, o);
  const cellsC = Math.floor(w / o.pixelsPerCell[1]);
  const [br, bc] = o.cellsPerBlock;
  const bins = o.orientations;
  const blockLen = br * bc * bins;
  const out = new Float64Array(blocksR * blocksC * blockLen);
  const block = new Float64Array(blockLen);
  for (let r = 0; r < blocksR; r++) {
    for (let c = 0; c < blocksC; c++) {
      let k = 0;
      for (let i = 0; i < br; i++) for (let j = 0; j < bc; j++) for (let b = 0; b < bins; b++) block[k++] = hist[((r + i) * cellsC + c + j) * bins + b];
      out.set(l2Hys(block), (r * blocksC + c) * blockLen);
    }
  }
  return out;
}
