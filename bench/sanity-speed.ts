// Time per image-step of a cascading test (issue 4): a SanitySession per model makes the randomized copies in
// memory (trained and fresh weights kept as tensors, switched by assignment; never reloaded from disk) and computes
// the trained model's step-0 maps once per image. Reported as the median over images of (image time / steps), for
// DIX3 + Grad-CAM with all five similarity measures, next to the time of the same image's step-0 maps alone.
import { tf } from '../main/engine/tf';
import { buildArchitecture } from '../main/engine/model/architectures/registry';
import { wrapModel } from '../main/engine/model/layers/layers-vision-model';
import { SanitySession } from '../main/engine/sanity/sanity-session';
import { explainImage } from '../main/engine/explain/explain-image';

export interface SanitySpeedRow { model: string; steps: number; images: number; msPerImageStep: number; msStep0: number; tensorsFlat: boolean }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function measureSanitySpeed(images: number, vggWidth: number): SanitySpeedRow[] {
  const models = [
    { label: 'small-cnn 28x28', arch: 'small-cnn', shape: [28, 28, 1] as [number, number, number], width: 1 },
    { label: `vgg19 x${vggWidth} 64x64`, arch: 'vgg19', shape: [64, 64, 3] as [number, number, number], width: vggWidth },
  ];
  return models.map(({ label, arch, shape, width }) => {
    const vm = wrapModel(buildArchitecture(arch, { inputShape: shape, numClasses: 10, width, seed: 1 }), null, 'bench', null);
    const session = new SanitySession({ kind: 'cascading', vm, methods: ['dix3', 'gradcam'], seed: 1 });
    const perStep: number[] = [];
    const step0: number[] = [];
    let tensorsAfterFirst = 0;
    for (let i = 0; i <= images; i++) {
      const x = tf.randomUniform([1, ...shape], 0, 1, 'float32', i) as tf.Tensor4D;
      let t0 = performance.now();
      explainImage(vm, x, session.plan);
      const s0 = performance.now() - t0;
      t0 = performance.now();
      session.explainImage(x);
      const all = performance.now() - t0;
      x.dispose();
      if (i === 0) { tensorsAfterFirst = tf.memory().numTensors; continue; } // warm-up
      perStep.push(all / session.steps.length);
      step0.push(s0);
    }
    const flat = tf.memory().numTensors === tensorsAfterFirst;
    session.dispose();
    vm.model.dispose();
    return { model: label, steps: session.steps.length, images, msPerImageStep: median(perStep), msStep0: median(step0), tensorsFlat: flat };
  });
}

export function printSanitySpeed(rows: SanitySpeedRow[]): void {
  console.log('\nCascading randomization, DIX3 + Grad-CAM, all similarity measures (median per image-step):\n');
  console.log('| model | steps | ms per image-step | step-0 maps alone, ms | tensors flat |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.model} | ${r.steps} | ${r.msPerImageStep.toFixed(1)} | ${r.msStep0.toFixed(1)} | ${r.tensorsFlat ? 'yes' : 'NO'} |`);
}
