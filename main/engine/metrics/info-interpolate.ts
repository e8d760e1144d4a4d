// The "blurred" images of the SIC/AIC protocol (PAIR's create_blurred_image): pixels of the mask (plus the four corners,
// always) keep their values; every other pixel is linearly interpolated from them, per channel, over a Delaunay
// triangulation of the kept pixels (scipy.interpolate.griddata(method='linear') triangulates with Qhull; with the
// corners kept, every pixel lies inside the hull, so griddata's fill value is never used). Where kept pixels are
// co-circular (frequent on a pixel grid) the Delaunay triangulation is not unique and Qhull may pick other diagonals,
// so values can differ from scipy's there. uint8 results are rounded half to even, as np.round.
import Delaunator from 'delaunator';

/** np.round: to the nearest integer, halves to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Returns a new H x W x C uint8 image: kept pixels copied, the others interpolated. `keep` is H x W (nonzero = kept). */
export function interpolateFromKept(bytes: Uint8Array, height: number, width: number, channels: number, keep: Uint8Array): Uint8Array {
  const kept = Uint8Array.from(keep);
  for (const p of [0, width - 1, (height - 1) * width, height * width - 1]) kept[p] = 1;
  const out = Uint8Array.from(bytes);
  const idx: number[] = [];
  for (let p = 0; p < kept.length; p++) if (kept[p]) idx.push(p);
  if (idx.length === kept.length) return out;
  const coords = new Float64Array(idx.length * 2);
  idx.forEach((p, i) => {
    coords[2 * i] = Math.floor(p / width);
    coords[2 * i + 1] = p % width;
  });
  const { triangles } = new Delaunator(coords);
  const done = Uint8Array.from(kept);
  for (let t = 0; t < triangles.length; t += 3) {
    const [a, b, c] = [triangles[t], triangles[t + 1], triangles[t + 2]];
    const ar = coords[2 * a], ac = coords[2 * a + 1];
    const br = coords[2 * b], bc = coords[2 * b + 1];
    const cr = coords[2 * c], cc = coords[2 * c + 1];
    const det = (br - ar) * (cc - ac) - (cr - ar) * (bc - ac);
    if (det === 0) continue;
    const r0 = Math.max(0, Math.ceil(Math.min(ar, br, cr)));
    const r1 = Math.min(height - 1, Math.floor(Math.max(ar, br, cr)));
    const c0 = Math.max(0, Math.ceil(Math.min(ac, bc, cc)));
    const c1 = Math.min(width - 1, Math.floor(Math.max(ac, bc, cc)));
    for (let r = r0; r <= r1; r++) {
      for (let col = c0; col <= c1; col++) {
        const p = r * width + col;
        if (done[p]) continue;
        // Barycentric weights of (r, col) in triangle (a, b, c).
        const la = ((br - r) * (cc - col) - (cr - r) * (bc - col)) / det;
        const lb = ((cr - r) * (ac - col) - (ar - r) * (cc - col)) / det;
        const lc = 1 - la - lb;
        const tol = -1e-12;
        if (la < tol || lb < tol || lc < tol) continue;
        for (let k = 0; k < channels; k++) {
          const v = la * bytes[idx[a] * channels + k] + lb * bytes[idx[b] * channels + k] + lc * bytes[idx[c] * channels + k];
          out[p * channels + k] = Math.min(255, Math.max(0, roundHalfEven(v)));
        }
        done[p] = 1;
      }
    }
  }
  // Only reachable through rounding at a hull edge: griddata's fill value, the channel mean.
  let mean: number[] | null = null;
  for (let p = 0; p < done.length; p++) {
    if (done[p]) continue;
    mean ??= Array.from({ length: channels }, (_, k) => {
      let s = 0;
      for (let q = 0; q < done.length; q++) s += bytes[q * channels + k];
      return s / done.length;
    });
    for (let k = 0; k < channels; k++) out[p * channels + k] = roundHalfEven(mean[k]);
  }
  return out;
}
