// The ONNX import against PyTorch itself (issue 10): every fixture of scripts/make-onnx-fixtures.py (tiny ResNet with
// batch norm folded and kept, DenseNet, MobileNetV3 blocks, ConvNeXt blocks, ViT at opsets 17 and 14, batch fixed or
// dynamic) loads with loadOnnxVisionModel, and the workbench gives PyTorch's numbers within 1e-4 of their scale:
// logits, the input gradient of the target logit, the activation at a named module and the target logit's gradient
// there (through tailLogits), and the Grad-CAM, IG and DIX3 maps of the workbench's own methods. PyTorch's arrays are
// NCHW; the workbench is channels-last, so they are transposed here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadOnnxVisionModel } from '../../main/engine/model/onnx/load-onnx';
import { loadVisionModel } from '../../main/engine/model/load-model';
import { findCutPoint } from '../../main/engine/model/cut-points';
import type { CutPoint, VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import type { MethodOptions } from '../../main/engine/explain/method';
import { assertClose } from './helpers';
import { channelsLast, fixtureArray, fixtureNames, readFixture, type OnnxFixture } from '../helpers/pytorch';

const TOL = 1e-4;
const BACKENDS = ['cpu', 'wasm'] as const;

function inputs(f: OnnxFixture): tf.Tensor4D {
  const x = channelsLast(f, 'input');
  return tf.tensor4d(x.data, x.shape as [number, number, number, number]);
}

/** The cut point a PyTorch module path names (its name or an alias), with the module paths it could have meant. */
function cutOf(vm: VisionModel, f: OnnxFixture, module: string): CutPoint {
  const cut = findCutPoint(vm.cuts, module);
  assert.ok(cut, `${f.name}: no cut point is named "${module}" (or has it as an alias); cuts: ${vm.cuts.map((c) => [c.name, ...(c.aliases ?? [])].join('|')).join(', ')}`);
  return cut;
}

/** The map of one method on image 0, and the target class it explained. */
function mapOf(vm: VisionModel, x0: tf.Tensor4D, method: string, options: MethodOptions): { map: Float32Array; targetClass: number; shape: number[] } {
  const plan = planMethods(vm, [method], options);
  const r = explainImage(vm, x0, plan, null);
  return { map: r.maps[0].map, targetClass: r.targetClass, shape: [r.maps[0].height, r.maps[0].width] };
}

for (const backend of BACKENDS) {
  describe(`ONNX fixtures against PyTorch on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });

    for (const name of fixtureNames()) {
      const f = readFixture(name);
      describe(`${name} (opset ${f.opset}, batch ${f.dynamicBatch ? 'dynamic' : 'fixed 1'}${f.batchNormalizationInGraph ? ', BatchNormalization' : ''})`, () => {
        let vm: VisionModel;
        let x: tf.Tensor4D;
        let x0: tf.Tensor4D;
        const k = f.targetClass;

        before(async () => {
          vm = await loadOnnxVisionModel(f.model, f.preprocessing);
          x = inputs(f);
          x0 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);
        });
        after(() => {
          vm?.dispose();
          x?.dispose();
          x0?.dispose();
        });

        test('classes, preprocessing and the module paths as cut points', () => {
          assert.equal(vm.numClasses, f.numClasses);
          const p = vm.preprocessing;
          assert.deepEqual([p.height, p.width, p.channels], [f.preprocessing.height, f.preprocessing.width, 3]);
          assert.deepEqual(p.mean, f.preprocessing.mean);
          assert.deepEqual(p.std, f.preprocessing.std);
          const modules = [f.probeModule, ...(f.camModule ? [f.camModule] : []), ...(f.dix3?.modules ?? [])];
          for (const m of new Set(modules)) cutOf(vm, f, m);
          const probe = channelsLast(f, 'probe_act');
          assert.deepEqual(cutOf(vm, f, f.probeModule).shape, probe.shape.slice(1), `${f.probeModule}: shape of the cut`);
        });

        test('logits of a batch of two images', () => {
          const logits = vm.predict(x);
          assert.deepEqual(logits.shape, [2, f.numClasses]);
          assertClose(logits.dataSync(), fixtureArray(f, 'logits').data, TOL, 'logits');
          logits.dispose();
        });

        test('input gradient of the target logit', () => {
          const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.slice(vm.predict(t), [0, k], [1, 1])))(x0));
          assertClose(g.dataSync(), channelsLast(f, 'input_grad').data, TOL, 'd f_k / d x');
          g.dispose();
        });

        test(`activation at ${f.probeModule} and the target logit's gradient there (tailLogits)`, () => {
          const cut = cutOf(vm, f, f.probeModule);
          const { activations, logits } = vm.forwardWithActivations(x0, [cut]);
          try {
            assertClose(activations[0].dataSync(), channelsLast(f, 'probe_act').data, TOL, `activation at ${f.probeModule}`);
            assertClose(logits.dataSync(), fixtureArray(f, 'logits').data.slice(0, f.numClasses), TOL, 'logits of forwardWithActivations');
            const tail = tf.tidy(() => vm.tailLogits(cut, activations[0]));
            assertClose(tail.dataSync(), fixtureArray(f, 'logits').data.slice(0, f.numClasses), TOL, 'tailLogits from the activation');
            tail.dispose();
            const g = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.slice(vm.tailLogits(cut, a), [0, k], [1, 1])))(activations[0]));
            assertClose(g.dataSync(), channelsLast(f, 'probe_grad').data, TOL, `d f_k / d ${f.probeModule}`);
            g.dispose();
          } finally {
            activations.forEach((a) => a.dispose());
            logits.dispose();
          }
        });

        if (f.camModule) {
          test(`Grad-CAM at ${f.camModule}`, () => {
            const r = mapOf(vm, x0, 'gradcam', { layers: [f.camModule!] });
            assert.equal(r.targetClass, k, 'target class (top-1)');
            assert.deepEqual(r.shape, [f.preprocessing.height, f.preprocessing.width]);
            assertClose(r.map, fixtureArray(f, 'gradcam').data, TOL, 'Grad-CAM map');
          });
        }

        test('Integrated Gradients from the black image, N = 10', () => {
          const r = mapOf(vm, x0, 'ig', { steps: f.ig.steps, baseline: 'black' });
          assert.equal(r.targetClass, k);
          assertClose(r.map, fixtureArray(f, 'ig').data, TOL, 'IG map');
        });

        if (f.dix3) {
          const modules = f.dix3.modules;
          test(`DIX3 at ${modules.join(', ')} (each layer, then their mean; batches of 4 interpolants)`, () => {
            modules.forEach((m, i) => {
              const r = mapOf(vm, x0, 'dix1', { layers: [m], steps: f.dix3!.steps, batchSize: 4 });
              assertClose(r.map, fixtureArray(f, `dix3_l${i}`).data, TOL, `DIX map of ${m}`);
            });
            const r = mapOf(vm, x0, 'dix3', { layers: modules, steps: f.dix3!.steps });
            assertClose(r.map, fixtureArray(f, 'dix3').data, TOL, 'DIX3 map');
          });
        }
      });
    }
  });
}

describe('an ONNX fixture folder through loadVisionModel (model.onnx with its preprocessing sidecar)', () => {
  test('gives the same logits as PyTorch', async () => {
    await initBackend('wasm');
    const f = readFixture('tiny-resnet-bn');
    const vm = await loadVisionModel(f.dir);
    try {
      assert.deepEqual(vm.preprocessing.mean, f.preprocessing.mean);
      const x = inputs(f);
      const logits = vm.predict(x);
      assertClose(logits.dataSync(), fixtureArray(f, 'logits').data, TOL, 'logits');
      tf.dispose([x, logits]);
    } finally {
      vm.dispose();
    }
  });
});
