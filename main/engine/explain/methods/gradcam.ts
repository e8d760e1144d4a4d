// Grad-CAM (Selvaraju et al. 2017): w_c = mean over positions of g_c; map = relu(sum_c w_c A_c).
import { tf } from '../../tf';
import { camMethod, weightedActivationMap } from './cam-base';

export const gradcam = camMethod({
  id: 'gradcam',
  rule: (a, g) => weightedActivationMap(a, tf.mean(g, [1, 2], true) as tf.Tensor4D),
});
