// Weight layout conversions done once at load, on the host: a blocked JS transpose of a 100M-element fc weight takes
// about a quarter of the time of tf.transpose on wasm, and the converted array is uploaded once.
import { tf } from '../../tf';
import type { HostTensor } from './host-tensor';

const BLOCK = 64;

/** [rows, cols] -> [cols, rows], cache-blocked. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i0 = 0; i0 < rows; i0 += BLOCK) {
    const i1 = Math.min(rows, i0 + BLOCK);
    for (let j0 = 0; j0 < cols; j0 += BLOCK) {
      const j1 = Math.min(cols, j0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const row = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = a[row + j];
      }
    }
  }
  return out;
}

/** A Conv weight OIHW -> HWIO (tf.conv2d's filter): [O, I*H*W] transposed is [H*W*I, O] after regrouping. */
export function oihwToHwio(w: HostTensor): tf.Tensor4D {
  const [o, i, h, wd] = w.dims;
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < wd; x++) out[((y * wd + x) * i + b) * o + a] = src[((a * i + b) * h + y) * wd + x];
      }
    }
  }
  return tf.tensor4d(out, [h, wd, i, o]);
}

/** A 2-D weight transposed (Gemm with transB = 1: nn.Linear's [out, in] -> [in, out]). */
export function transposedMatrix(w: HostTensor): tf.Tensor2D {
  const [rows, cols] = w.dims;
  return tf.tensor2d(transpose2d(w.data as Float32Array, rows, cols), [cols, rows]);
}
