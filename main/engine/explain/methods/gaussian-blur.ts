// Gaussian blur over height and width of a [1, H, W, C] tensor, channels untouched, as scipy.ndimage.gaussian_filter
// with sigma = [s, s, 0] and mode='constant' (zeros outside the image), which PAIR's Blur IG uses: kernel radius
// int(4 s + 0.5), weights exp(-x^2 / 2 s^2) normalized to sum 1, and s = 0 (or a radius of 0) leaves the image as it
// is. The separable blur is two matrix products with banded n x n matrices, which is cheaper than a convolution whose
// kernel is often wider than the image.
import { tf } from '../../tf';

/** scipy's 1-D Gaussian weights for sigma, from -radius to radius. */
export function gaussianKernel1d(sigma: number, truncate = 4): Float64Array {
  const radius = Math.trunc(truncate * sigma + 0.5);
  const w = new Float64Array(2 * radius + 1);
  if (sigma <= 1e-15) {
    w[radius] = 1;
    return w;
  }
  let sum = 0;
  for (let x = -radius; x <= radius; x++) sum += w[x + radius] = Math.exp((-0.5 / (sigma * sigma)) * x * x);
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

/** The n x n matrix G with (G v)_i = sum_j k[j - i + r] v_j over 0 <= j < n: 1-D blur with zeros outside. */
export function blurMatrix(n: number, sigma: number): Float32Array {
  const k = gaussianKernel1d(sigma);
  const r = (k.length - 1) / 2;
  const g = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) g[i * n + j] = k[j - i + r];
  }
  return g;
}

/** Blurs x ([1, H, W, C]) with sigma over H and W. */
export function gaussianBlurHW(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  if (sigma <= 1e-15) return x;
  const [, h, w, c] = x.shape;
  return tf.tidy(() => {
    const gh = tf.tensor2d(blurMatrix(h, sigma), [h, h]);
    const gw = h === w ? gh : tf.tensor2d(blurMatrix(w, sigma), [w, w]);
    const alongH = tf.reshape(tf.matMul(gh, tf.reshape(x, [h, w * c])), [h, w, c]);
    const alongW = tf.matMul(gw, tf.reshape(tf.transpose(alongH, [1, 0, 2]), [w, h * c]));
    return tf.reshape(tf.transpose(tf.reshape(alongW, [w, h, c]), [1, 0, 2]), [1, h, w, c]) as tf.Tensor4D;
  });
}
