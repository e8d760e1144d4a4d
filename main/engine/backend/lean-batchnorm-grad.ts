// The gradient of FusedBatchNorm as tfjs-layers registers it computes (x - mean) and dy * scale over the whole
// activation eagerly, whatever is asked for, and tiles 1/sqrt(var + eps) to the activation's full size before
// multiplying; on the wasm backend the Tile alone was 13% of a resnet18 backward pass at 224x224, and the three
// full-size temporaries cost memory per interpolant. This registration computes each derivative only when the tape
// asks for it, and broadcasts instead of tiling: the same operations in the same order on the same values, so the
// numbers are identical (test/engine/wasm-memory.test.ts compares them with the stock gradient).
import { tf } from '../tf';

let installed = false;
let lean = true;

/** Tests compare with the stock gradient (kept and called while off). */
export function setLeanBatchNormGrad(on: boolean): void {
  lean = on;
}

export function installLeanBatchNormGrad(): void {
  if (installed) return;
  installed = true;
  const stock = tf.getGradient('FusedBatchNorm');
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      if (!lean && stock) return stock.gradFunc(dy, saved, attrs);
      const dyT = dy as tf.Tensor;
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
      const [x, mean, variance, scale] = saved;
      const scaleValue = scale == null ? tf.scalar(1) : scale;
      const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const oneOverSqrtVariance = () => tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      const perChannel = (t: tf.Tensor) => (mean.rank === 1 ? tf.reshape(t, [...Array(x.rank - 1).fill(1), mean.shape[0]]) : t);
      const dyTimesScale = () => tf.mul(dyT, scaleValue);
      const reduce = (t: tf.Tensor) => tf.reshape(mean.rank === 1 ? tf.sum(t, reductionAxes) : t, mean.shape);
      return {
        x: () => tf.reshape(tf.mul(tf.mul(dyT, perChannel(oneOverSqrtVariance())), scaleValue), x.shape),
        mean: () => reduce(tf.mul(tf.mul(oneOverSqrtVariance(), tf.scalar(-1)), dyTimesScale())),
        variance: () => {
          const r = oneOverSqrtVariance();
          return reduce(tf.mul(tf.mul(tf.mul(tf.mul(tf.mul(r, r), r), tf.scalar(-0.5)), tf.sub(x, mean)), dyTimesScale()));
        },
        scale: () => reduce(tf.mul(dyT, tf.mul(tf.sub(x, mean), oneOverSqrtVariance()))),
        offset: () => reduce(dyT),
      };
    },
  });
}
