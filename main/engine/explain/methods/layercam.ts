// Layer-CAM (Jiang et al. 2021): map = relu(sum_c relu(g_c) ⊙ A_c), position-wise weights.
import { tf } from '../../tf';
import { camMethod } from './cam-base';

export const layercam = camMethod({
  id: 'layercam',
  rule: (a, g) => tf.relu(tf.sum(tf.mul(tf.relu(g), a), 3, true)) as tf.Tensor4D,
});
