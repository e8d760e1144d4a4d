// XGrad-CAM (Fu et al. 2020): w_c = sum_ij (A_ij / sum_ab A_ab) g_ij; map = relu(sum_c w_c A_c). Without the extra
// gradient factor of the DIX repo's copy (docs/methods.md §3.7).
import { tf } from '../../tf';
import { camMethod, weightedActivationMap } from './cam-base';

export const xgradcam = camMethod({
  id: 'xgradcam',
  rule: (a, g) => {
    const sumA = tf.sum(a, [1, 2], true);
    const w = tf.sum(tf.div(tf.mul(a, g), tf.add(sumA, 1e-7)), [1, 2], true) as tf.Tensor4D;
    return weightedActivationMap(a, w);
  },
});
