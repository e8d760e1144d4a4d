// The one place the engine imports TF.js from. tfjs-layers is loaded here on purpose: the Node (CJS) bundle of
// tfjs-core registers no gradient functions, and tfjs-layers' bundle does.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';

export { tf, tfl };
export type Tensor = tf.Tensor;
export type Tensor4D = tf.Tensor4D;
