// The class a map explains, decided before any map is computed: stored maps are addressed by their target class,
// so a job must know it to look them up. One forward pass; explainImage would give the same numbers.
import { tf } from '../tf';
import { UserError } from '../errors';
import type { VisionModel } from '../model/vision-model';

export interface Classification {
  predictedClass: number;
  /** The requested class, else the top-1 class. */
  targetClass: number;
  /** Softmax probability of the target class. */
  targetProbability: number;
}

export function checkTargetClass(vm: VisionModel, targetClass: number | null | undefined): void {
  if (targetClass === undefined || targetClass === null) return;
  if (!(Number.isInteger(targetClass) && targetClass >= 0 && targetClass < vm.numClasses)) {
    throw new UserError(`Target class ${targetClass} is out of range: the model has ${vm.numClasses} classes (0..${vm.numClasses - 1}).`);
  }
}

export function classify(vm: VisionModel, input: tf.Tensor4D, targetClass?: number | null): Classification {
  checkTargetClass(vm, targetClass);
  const probs = tf.tidy(() => tf.softmax(vm.predict(input)));
  const p = probs.dataSync() as Float32Array;
  probs.dispose();
  let predictedClass = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[predictedClass]) predictedClass = k;
  const target = targetClass ?? predictedClass;
  return { predictedClass, targetClass: target, targetProbability: p[target] };
}
