// The data randomization test's labels (Adebayo et al. 2018, Sec. 3.2): one fixed, seeded permutation of the
// training labels, so that the label distribution is kept but its relation to the images is destroyed.
import { mulberry32 } from '../data/rng';

/** Fisher-Yates shuffle of a copy of the labels with a seeded generator. */
export function permuteLabels(labels: Int32Array, seed: number): Int32Array {
  const out = Int32Array.from(labels);
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** A seeded permutation of 0..n-1 (epoch shuffling). */
export function shuffledIndices(n: number, rand: () => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}
