// The ONNX model behind the engine's interface, on the per-op fixtures: cut points named by PyTorch module paths
// (aliases for nested modules, skip connections refused), the tail from every cut reproducing the forward pass,
// gradients against finite differences, fixed-batch graphs, parameterized modules with PyTorch's initialization,
// writes that touch one module only, the layer walk (FullGrad's completeness identity), and no tensor leaks.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../main/engine/tf';
import { initBackend } from '../../../main/engine/backend/select-backend';
import { installDepthwiseGrads } from '../../../main/engine/backend/depthwise-grads';
import { findCutPoint, resolveCutPoints } from '../../../main/engine/model/cut-points';
import { loadOnnxVisionModel } from '../../../main/engine/model/onnx/load-onnx';
import type { CutPoint, VisionModel } from '../../../main/engine/model/vision-model';
import { fullGradTerms } from '../../../main/engine/explain/methods/fullgrad';
import { assertClose, assertUserError, liveTensors, maxAbsDiff } from '../helpers';
import { inputTensor, readOpFixture } from './op-fixtures';

async function load(name: string): Promise<VisionModel> {
  return loadOnnxVisionModel(readOpFixture(name).model, null, 'test');
}

const names = (vm: VisionModel) => vm.cuts.map((c) => c.name);

/** max |tail(cut, activation) - predict| over every cut, relative to the logits' scale. */
function tailDeviation(vm: VisionModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const full = vm.predict(x).dataSync();
    const cuts = vm.cuts.filter((c) => c.position > 0);
    const { activations, logits } = vm.forwardWithActivations(x, cuts);
    let d = maxAbsDiff(logits.dataSync(), full);
    cuts.forEach((c, i) => {
      assert.deepEqual(activations[i].shape.slice(1), c.shape, `activation shape at ${c.name}`);
      d = Math.max(d, maxAbsDiff(vm.tailLogits(c, activations[i]).dataSync(), full));
    });
    const scale = Math.max(...Array.from(full, Math.abs));
    return d / scale;
  });
}

/** Central differences of sum(f(x) * w) at a few coordinates of x. */
function finiteDifferences(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor, coords: number[], eps = 1e-2): number[] {
  const base = x.dataSync();
  const at = (v: Float32Array) => tf.tidy(() => tf.sum(tf.mul(f(tf.tensor(v, x.shape)), w)).dataSync()[0]);
  return coords.map((i) => {
    const plus = base.slice() as Float32Array;
    const minus = base.slice() as Float32Array;
    plus[i] += eps;
    minus[i] -= eps;
    return (at(plus) - at(minus)) / (2 * eps);
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ONNX model interface on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
      installDepthwiseGrads();
    });

    test('cut points of a residual net: module paths, aliases, block outputs, skip connections refused', async () => {
      const vm = await load('residual');
      try {
        assert.deepEqual(names(vm), ['input', 'stem.0', 'stem.1', 'stem', 'block1', 'block2', 'pool', 'Flatten']);
        const block1 = findCutPoint(vm.cuts, 'block1')!;
        assert.deepEqual(block1.aliases, ['block1.relu_1']);
        assert.equal(findCutPoint(vm.cuts, 'block1.relu_1'), block1);
        assert.equal(findCutPoint(vm.cuts, 'stem.2')?.name, 'stem');
        assert.deepEqual(block1.shape, [8, 8, 4]);
        assert.deepEqual(findCutPoint(vm.cuts, 'block2')!.shape, [4, 4, 6]);
        assert.deepEqual(findCutPoint(vm.cuts, 'Flatten')!.shape, [6]);
        assert.deepEqual(vm.cuts.filter((c) => c.isBlockOutput).map((c) => c.name), ['block1', 'block2']);
        assert.equal(vm.cuts[0].position, 0);
        assert.ok(vm.cuts.every((c, i) => i === 0 || c.position > vm.cuts[i - 1].position));
        // Inside a residual block a skip connection jumps over every tensor: a module there is no cut.
        assert.ok(vm.hasLayer('block1.conv1'));
        await assertUserError(() => resolveCutPoints(vm, ['block1.conv1']), /not a valid cut point/, /skip connection/);
        await assertUserError(() => resolveCutPoints(vm, ['nope']), /no layer named "nope"/);
        assert.equal(vm.numClasses, 5);
        assert.deepEqual([vm.preprocessing.height, vm.preprocessing.width, vm.preprocessing.channels], [8, 8, 3]);
      } finally {
        vm.dispose();
      }
    });

    for (const name of ['residual', 'residual-13-eval', 'dense', 'convnext-block', 'convnext-block-13', 'attention', 'squeeze-excite']) {
      test(`${name}: the tail from every cut point gives the forward pass's logits`, async () => {
        const vm = await load(name);
        const x = inputTensor(readOpFixture(name));
        try {
          assert.ok(vm.cuts.length >= 3, `${name}: cuts ${names(vm)}`);
          assert.ok(tailDeviation(vm, x) <= 1e-5);
        } finally {
          x.dispose();
          vm.dispose();
        }
      });
    }

    test('a dense block: concatenations are cuts only where nothing jumps over them', async () => {
      const vm = await load('dense');
      try {
        assert.deepEqual(names(vm), ['input', 'stem', 'Concat', 'Concat_1', 'transition.0', 'transition.1', 'transition.2', 'transition', 'Flatten']);
        assert.deepEqual(vm.cuts.filter((c) => c.isBlockOutput).map((c) => c.name), ['transition.2', 'transition']);
        assert.ok(!vm.cuts.some((c) => c.name.startsWith('layer1')), 'layer1 output is concatenated later: no cut');
      } finally {
        vm.dispose();
      }
    });

    test('ConvNeXt blocks: a channels-last value is shown channels-last by its meaning', async () => {
      const vm = await load('convnext-block');
      try {
        assert.deepEqual(findCutPoint(vm.cuts, 'stem')!.shape, [4, 4, 6]);
        assert.ok(vm.cuts.every((c) => c.shape.length !== 3 || c.shape[2] === 6 || c.shape[2] === 3), `shapes ${vm.cuts.map((c) => c.shape)}`);
      } finally {
        vm.dispose();
      }
    });

    for (const name of ['convnext-block', 'attention', 'activations']) {
      test(`${name}: the input gradient agrees with finite differences`, async () => {
        const vm = await load(name);
        const f = readOpFixture(name);
        const x = inputTensor(f);
        const w = tf.tensor(f.weights, f.logits.shape);
        try {
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(vm.predict(a), w)))(x);
          const coords = [0, 7, 31, x.size - 1];
          const fd = finiteDifferences((a) => vm.predict(a), x, w, coords);
          const got = coords.map((i) => g.dataSync()[i]);
          assertClose(got, fd, 2e-2, `${name}: gradient vs finite differences`);
          g.dispose();
        } finally {
          tf.dispose([x, w]);
          vm.dispose();
        }
      });
    }

    test('the gradient at a cut point (through tailLogits) agrees with finite differences', async () => {
      const f = readOpFixture('residual');
      const vm = await load('residual');
      const x = inputTensor(f);
      try {
        const cut = findCutPoint(vm.cuts, 'block1')!;
        const { activations, logits } = vm.forwardWithActivations(x, [cut]);
        const a = activations[0];
        const w = tf.tensor(f.weights, f.logits.shape);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(vm.tailLogits(cut, t), w)))(a);
        const coords = [1, 20, 77, a.size - 2];
        const fd = finiteDifferences((t) => vm.tailLogits(cut, t), a, w, coords);
        assertClose(coords.map((i) => g.dataSync()[i]), fd, 2e-2, 'gradient at block1');
        tf.dispose([a, logits, w, g]);
      } finally {
        x.dispose();
        vm.dispose();
      }
    });

    test('a graph with its batch size fixed inside (a constant reshape) runs any batch in chunks', async () => {
      const f = readOpFixture('reshape-fixed');
      const vm = await load('reshape-fixed');
      try {
        const one = inputTensor(f);
        const x = tf.concat([one, tf.mul(one, 2), tf.mul(one, -1)]);
        const y = vm.predict(x);
        assert.deepEqual(y.shape, [3, 3]);
        const each = [0, 1, 2].map((i) => vm.predict(tf.slice(x, i, 1)).dataSync());
        assertClose(y.dataSync(), each.flatMap((e) => Array.from(e)), 1e-6, 'chunked batch');
        assertClose(each[0], f.logits.data, 1e-4, 'logits');
        const g = tf.grad((a: tf.Tensor) => tf.sum(vm.predict(a)))(x);
        assert.deepEqual(g.shape, x.shape);
        tf.dispose([one, x, y, g]);
      } finally {
        vm.dispose();
      }
    });

    test('parameterized modules: PyTorch module paths, layouts, default initialization, one module per write', async () => {
      const vm = await load('residual');
      const x = inputTensor(readOpFixture('residual'));
      try {
        const modules = vm.parameterizedModules();
        assert.deepEqual(modules.map((m) => m.name), ['stem.0', 'stem.1', 'block1.conv1', 'block1.bn1', 'block1.conv2', 'block1.bn2', 'block2.conv1',
          'block2.bn1', 'block2.conv2', 'block2.bn2', 'block2.down.0', 'block2.down.1', 'fc']);
        const conv = modules.find((m) => m.name === 'block2.conv1')!;
        assert.equal(conv.className, 'Conv');
        assert.equal(conv.isNormalization, false);
        assert.deepEqual(conv.weights.map((w) => [w.role, w.read().shape]), [['weight', [3, 3, 4, 6]]]);
        const bn = modules.find((m) => m.name === 'block2.bn1')!;
        assert.equal(bn.isNormalization, true);
        assert.deepEqual(bn.weights.map((w) => [w.role, w.isStatistic]), [['weight', false], ['bias', false], ['running_mean', true], ['running_var', true]]);
        // PyTorch's defaults: kaiming_uniform(a = sqrt 5) = U(+-1/sqrt(fan_in)), fan_in = 4 * 3 * 3; batch norm 1, 0, 0, 1.
        const fresh = conv.weights[0].fresh(7);
        const v = fresh.dataSync();
        const bound = 1 / Math.sqrt(36);
        assert.ok(Math.max(...v) <= bound && Math.min(...v) >= -bound && Math.max(...v) > 0.8 * bound);
        assert.deepEqual(Array.from(conv.weights[0].fresh(7).dataSync()), Array.from(v), 'same seed, same values');
        assert.deepEqual(bn.weights.map((w) => Array.from(w.fresh(1).dataSync())), [[1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);
        const fc = modules.find((m) => m.name === 'fc')!;
        assert.deepEqual(fc.weights.map((w) => w.read().shape), [[6, 5], [5]]);
        // A write changes the model; writing the old value back restores it exactly.
        const before = vm.predict(x).dataSync();
        const old = tf.clone(conv.weights[0].read());
        conv.weights[0].write(fresh);
        const after = vm.predict(x).dataSync();
        assert.ok(maxAbsDiff(before, after) > 1e-3);
        conv.weights[0].write(old);
        assert.deepEqual(Array.from(vm.predict(x).dataSync()), Array.from(before));
        tf.dispose([fresh, old]);
      } finally {
        x.dispose();
        vm.dispose();
      }
    });

    test('weights de-duplicated by the exporter stay separate modules (writing ln1 leaves ln2 alone)', async () => {
      const vm = await load('attention');
      try {
        const modules = vm.parameterizedModules();
        assert.deepEqual(modules.map((m) => `${m.name}:${m.className}`), ['patch:Conv', 'ln1:LayerNormalization', 'attn:MatMul', 'ln2:LayerNormalization',
          'mlp.0:MatMul', 'mlp.2:MatMul', 'head:Gemm']);
        const ln1 = modules[1].weights[0];
        const ln2 = modules[3].weights[0];
        const z = tf.zeros(ln1.read().shape);
        ln1.write(z);
        assert.deepEqual(Array.from(ln2.read().dataSync()), [1, 1, 1, 1, 1, 1, 1, 1]);
        z.dispose();
      } finally {
        vm.dispose();
      }
    });

    for (const name of ['residual-13-eval', 'residual']) {
      test(`${name}: the walk gives FullGrad's completeness f_k(x) = sum(x grad_x) + sum over biases of sum(b grad_z)`, async () => {
        const vm = await load(name);
        const x = tf.slice(inputTensor(readOpFixture(name)), 0, 1) as tf.Tensor4D;
        try {
          const logits = vm.predict(x).dataSync();
          for (const k of [0, 3]) {
            const total = tf.tidy(() => {
              const { inputGradient, biasTerms } = fullGradTerms(vm, x, k);
              return tf.addN([tf.sum(tf.mul(inputGradient, x)), ...biasTerms.map((t) => tf.sum(t.term))]).dataSync()[0];
            });
            assert.ok(Math.abs(total - logits[k]) < 1e-4 * Math.max(1, Math.abs(logits[k])), `completeness: ${total} vs ${logits[k]}`);
          }
          const steps = vm.walk()!.steps;
          assert.ok(steps.some((s) => s.rule === 'elementwise' && s.className === 'Relu'));
          assert.ok(steps.filter((s) => s.rule === 'affine' && s.bias()).length >= 5);
        } finally {
          x.dispose();
          vm.dispose();
        }
      });
    }

    test('tail activation bytes shrink along the network', async () => {
      const vm = await load('residual');
      try {
        const bytes = vm.cuts.map((c) => vm.tailActivationBytes(c));
        assert.ok(bytes.every((b, i) => b > 0 && (i === 0 || b < bytes[i - 1])), `bytes ${bytes}`);
        // After block2: pool [6], flatten [6], fc [5] floats.
        assert.equal(vm.tailActivationBytes(findCutPoint(vm.cuts, 'block2') as CutPoint), (6 + 6 + 5) * 4);
      } finally {
        vm.dispose();
      }
    });

    test('no tensor leaks across predict, forwardWithActivations, tailLogits and gradients', async () => {
      const vm = await load('convnext-block-13');
      const x = inputTensor(readOpFixture('convnext-block-13'));
      try {
        const cuts = vm.cuts.filter((c) => c.position > 0);
        const round = () => {
          tf.dispose(vm.predict(x));
          const { activations, logits } = vm.forwardWithActivations(x, cuts);
          tf.dispose(logits);
          cuts.forEach((c, i) => tf.dispose(vm.tailLogits(c, activations[i])));
          tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(vm.tailLogits(cuts[1], a)))(activations[1]));
          tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(vm.predict(a)))(x));
          tf.dispose(activations);
        };
        round();
        const n = liveTensors();
        for (let i = 0; i < 3; i++) round();
        assert.equal(liveTensors(), n);
      } finally {
        x.dispose();
        vm.dispose();
      }
    });
  });
}
