// Max pooling with its input gradient computed here: wasm's MaxPoolGrad kernel loses some windows' gradients
// (seen for 2x2/2 and padded 3x3/2 windows with several channels), and rebuilding the pool from strided slices is
// slow on wasm (its Slice copies about 5x slower than an add). The forward pass is TF.js's kernel; the backward pass
// routes each output's gradient to the first maximum of its window (PyTorch's choice on ties) in one loop over the
// windows, on the host.
import { tf } from '../../../tf';

export interface PoolGeometry {
  k: [number, number];
  s: [number, number];
  /** Padding before the first row and column (windows reaching into padding ignore it). */
  top: number;
  left: number;
}

/** dx of a max pool over NHWC `x` for the output gradient `dy` (both flat, channels last). */
export function maxPoolInputGradient(x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], g: PoolGeometry): Float32Array {
  const [batch, h, w, c] = xShape;
  const [, oh, ow] = dyShape;
  const dx = new Float32Array(x.length);
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

type Pad = 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** tf.maxPool whose gradient is maxPoolInputGradient. */
export function maxPoolWithGradient(x: tf.Tensor4D, k: [number, number], s: [number, number], pad: Pad): tf.Tensor4D {
  const g: PoolGeometry = { k, s, top: pad === 'valid' ? 0 : pad[1][0], left: pad === 'valid' ? 0 : pad[2][0] };
  const f = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: tf.maxPool(input as tf.Tensor4D, k, s, pad),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs] = saved;
        return tf.tensor(maxPoolInputGradient(xs.dataSync() as Float32Array, xs.shape, dy.dataSync() as Float32Array, dy.shape, g), xs.shape);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
