// Grad-CAM++ (Chattopadhyay et al. 2018, Eq. 19 with the exponential-score simplification that pytorch-grad-cam
// also uses): alpha = g^2 / (2 g^2 + (sum_ab A_ab) g^3), w_c = sum_ij alpha_ij relu(g_ij); map = relu(sum_c w_c A_c).
// Not the Σ(A·g³) denominator and missing final ReLU of some public code (docs/methods.md §3.6).
import { tf } from '../../tf';
import { camMethod, weightedActivationMap } from './cam-base';

export const gradcamPlusPlus = camMethod({
  id: 'gradcam++',
  rule: (a, g) => {
    const g2 = tf.square(g);
    const g3 = tf.mul(g2, g);
    const sumA = tf.sum(a, [1, 2], true);
    const denom = tf.add(tf.mul(2, g2), tf.mul(sumA, g3));
    const safe = tf.where(tf.notEqual(denom, 0), denom, tf.onesLike(denom));
    const alpha = tf.where(tf.notEqual(g, 0), tf.div(g2, safe), tf.zerosLike(g));
    const w = tf.sum(tf.mul(alpha, tf.relu(g)), [1, 2], true) as tf.Tensor4D;
    return weightedActivationMap(a, w);
  },
});
