// Every op the ONNX importer runs, against PyTorch: each fixture of scripts/onnx-op-fixtures.py (one op or one form
// of it, opset 13 or 17, batch dynamic or fixed) gives PyTorch's logits and the input gradient of sum(logits * w)
// within 1e-4 of their scale, on the cpu backend and on wasm (whose missing depthwise input-gradient kernel
// main/engine/backend/depthwise-grads.ts provides).
import { before, describe, test } from 'node:test';
import { tf } from '../../../main/engine/tf';
import { initBackend } from '../../../main/engine/backend/select-backend';
import { installDepthwiseGrads } from '../../../main/engine/backend/depthwise-grads';
import { loadOnnxVisionModel } from '../../../main/engine/model/onnx/load-onnx';
import { assertClose } from '../helpers';
import { inputTensor, opFixtureNames, readOpFixture } from './op-fixtures';

const TOL = 1e-4;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ONNX ops against PyTorch on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
      installDepthwiseGrads();
    });
    for (const name of opFixtureNames()) {
      test(name, async () => {
        const f = readOpFixture(name);
        const vm = await loadOnnxVisionModel(f.model, null, 'test');
        try {
          const x = inputTensor(f);
          const w = tf.tensor(f.weights, f.logits.shape);
          const logits = vm.predict(x);
          assertClose(logits.dataSync(), f.logits.data, TOL, `${name}: logits`);
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(vm.predict(a), w)))(x);
          assertClose(g.dataSync(), f.inputGradient, TOL, `${name}: input gradient`);
          tf.dispose([x, w, logits, g]);
        } finally {
          vm.dispose();
        }
      });
    }
  });
}
