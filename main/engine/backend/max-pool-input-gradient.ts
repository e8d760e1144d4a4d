// The input gradient of a 2-D max pool, as a plain loop: each output's gradient goes to the first maximum of its window
// (PyTorch's choice on ties). Pure math on flat channels-last arrays; fast-pool-grads.ts makes it wasm's MaxPoolGrad.

export interface PoolGeometry {
  k: [number, number];
  s: [number, number];
  /** Padding before the first row and column (windows reaching into padding ignore it). */
  top: number;
  left: number;
}

/** dx of a max pool over NHWC `x` for the output gradient `dy` (both flat, channels last), written into `dx` (zeroed
 *  here; the kernel passes the output's place on the wasm heap). */
export function maxPoolInputGradient(x: Float32Array<ArrayBufferLike>, xShape: number[], dy: Float32Array<ArrayBufferLike>, dyShape: number[], g: PoolGeometry,
  dx: Float32Array<ArrayBufferLike> = new Float32Array(x.length)): Float32Array<ArrayBufferLike> {
  const [batch, h, w, c] = xShape;
  const [, oh, ow] = dyShape;
  dx.fill(0);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = Math.max(0, i * g.s[0] - g.top);
      const r1 = Math.min(h, i * g.s[0] - g.top + g.k[0]);
      for (let j = 0; j < ow; j++) {
        const c0 = Math.max(0, j * g.s[1] - g.left);
        const c1 = Math.min(w, j * g.s[1] - g.left + g.k[1]);
        const out = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let r = r0; r < r1; r++) {
            for (let q = c0; q < c1; q++) {
              const p = ((b * h + r) * w + q) * c + ch;
              if (x[p] > best) {
                best = x[p];
                at = p;
              }
            }
          }
          if (at >= 0) dx[at] += dy[out + ch];
        }
      }
    }
  }
  return dx;
}
