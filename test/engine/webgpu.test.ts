// The webgpu backend (Dawn in Node) against wasm, on small models: cut-point execution equal to the full forward,
// completeness of the path integral, DIX at the input = IG, the class gradient against finite differences, and one map
// of every method. Each value is computed on both backends from the same weights. Needs a WebGPU adapter; in CI that is
// Mesa >= 25 lavapipe (.ci/run installs it from bookworm-backports). Without one, the tests skip with the reason.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { releaseWebGpu, webGpuAdapter } from '../../main/engine/backend/webgpu';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { inputCutPoint } from '../../main/engine/model/cut-points';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import type { VisionModel } from '../../main/engine/model/vision-model';
import { classGradient, pathIntegral } from '../../main/engine/explain/path-integral';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { methodIdsFor } from '../../main/engine/explain/registry';
import { predictBatches } from '../../main/engine/metrics/unit-input';
import { makeTestVit } from './vit-reference';
import { assertClose, maxAbs, maxAbsDiff, sum } from './helpers';

type Backend = 'wasm' | 'webgpu';
type ST = ReturnType<typeof tfl.input>;

const skip = await (async () => {
  try {
    await initBackend('webgpu');
    return false;
  } catch (e) {
    const reason = `no webgpu backend here: ${(e as Error).message}`;
    console.log(`# ${reason}`);
    return reason;
  }
})();
if (!skip) console.log(`# webgpu adapter: ${webGpuAdapter()!.description}`);

after(() => releaseWebGpu());

/** A tiny network with smooth activations only, so finite differences are not hit by relu kinks. */
function smoothModel(): LayersModel {
  const init = (seed: number) => tfl.initializers.glorotNormal({ seed });
  const input = tfl.input({ shape: [8, 8, 3], name: 'in' });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'c1', kernelInitializer: init(1),
    biasInitializer: tfl.initializers.randomNormal({ seed: 2, stddev: 0.3 }) }).apply(input) as ST;
  x = tfl.layers.averagePooling2d({ poolSize: 2, name: 'p1' }).apply(x) as ST;
  x = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'softplus', name: 'c2', kernelInitializer: init(3) }).apply(x) as ST;
  x = tfl.layers.flatten({ name: 'flat' }).apply(x) as ST;
  x = tfl.layers.dense({ units: 3, name: 'logits', kernelInitializer: init(5) }).apply(x) as ST;
  return tfl.model({ inputs: input, outputs: x });
}

const smallCnn = () => buildArchitecture('small-cnn', { inputShape: [16, 16, 3], numClasses: 5, width: 0.25, seed: 6 });
const resnet = () => buildArchitecture('resnet18', { inputShape: [16, 16, 3], numClasses: 4, width: 0.125, seed: 2 });

/** Runs f on each backend with the same weights (the first backend's, copied), and returns both results. */
async function onBoth<T>(make: () => LayersModel, f: (vm: VisionModel) => T): Promise<Record<Backend, T>> {
  let weights: Array<{ shape: number[]; values: Float32Array }> | null = null;
  const out = {} as Record<Backend, T>;
  for (const b of ['wasm', 'webgpu'] as Backend[]) {
    await initBackend(b);
    const model = make();
    if (weights) model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
    else weights = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
    const vm = wrapModel(model, null, 'test', null);
    out[b] = f(vm);
    model.dispose();
  }
  return out;
}

const input = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('webgpu: the engine identities, against wasm', { skip }, () => {
  test('every cut point: the tail run from the activation equals the full forward (small CNN and ResNet)', async () => {
    for (const make of [smallCnn, resnet]) {
      const r = await onBoth(make, (vm) => tf.tidy(() => {
        const x = input([2, 16, 16, 3], 3);
        const full = vm.predict(x);
        return vm.cuts.map((cut) => {
          const { activations } = vm.forwardWithActivations(x, [cut]);
          return { cut: cut.name, full: Array.from(full.dataSync()), tail: Array.from(vm.tailLogits(cut, activations[0]).dataSync()) };
        });
      }));
      assert.ok(r.webgpu.length > 2);
      r.webgpu.forEach((c, i) => {
        assertClose(c.tail, c.full, 1e-5, `webgpu ${c.cut}: tail vs full forward`);
        assertClose(c.full, r.wasm[i].full, 1e-4, `${c.cut}: webgpu vs wasm logits`);
      });
    }
  });

  test('completeness at a cut: sum of the phi = g attribution equals f_k(x) - f_k(z) (N = 64), as on wasm', async () => {
    const r = await onBoth(smoothModel, (vm) => tf.tidy(() => {
      const cut = vm.cuts.find((c) => c.name === 'p1')!;
      const { activations: [act] } = vm.forwardWithActivations(input([1, 8, 8, 3], 4), [cut]);
      const z = tf.min(act, [1, 2], true);
      const a = pathIntegral({ model: vm, cut, activation: act, baseline: z, targetClass: 1, steps: 64, integrand: 'gradient' });
      const delta = vm.tailLogits(cut, act).dataSync()[1] - vm.tailLogits(cut, tf.add(z, tf.zerosLike(act))).dataSync()[1];
      return { attribution: Array.from(a.dataSync()), delta };
    }));
    const gap = Math.abs(sum(r.webgpu.attribution) - r.webgpu.delta);
    assert.ok(gap <= 0.01 * Math.abs(r.webgpu.delta) + 1e-5, `completeness gap ${gap} for f(x) - f(z) = ${r.webgpu.delta}`);
    assertClose(r.webgpu.attribution, r.wasm.attribution, 1e-4, 'attribution webgpu vs wasm');
  });

  test('DIX with phi = g at the input is IG (and both equal wasm\'s)', async () => {
    const r = await onBoth(smallCnn, (vm) => {
      const x = input([1, 16, 16, 3], 12) as tf.Tensor4D;
      const ig = explainImage(vm, x, planMethods(vm, ['ig'], { steps: 10 })).maps[0].map;
      const dix = tf.tidy(() => {
        const a = pathIntegral({ model: vm, cut: inputCutPoint(vm.cuts), activation: x, baseline: tf.zerosLike(x),
          targetClass: explainImage(vm, x, []).targetClass, steps: 10, integrand: 'gradient' });
        return Array.from(tf.mul(tf.mean(a, 3), 3).dataSync());
      });
      x.dispose();
      return { ig: Array.from(ig), dix };
    });
    assert.ok(maxAbs(r.webgpu.ig) > 0);
    assertClose(r.webgpu.ig, r.webgpu.dix, 1e-5, 'webgpu: IG map vs DIX(phi = g) at the input');
    assertClose(r.webgpu.ig, r.wasm.ig, 1e-4, 'IG webgpu vs wasm');
  });

  test('the class gradient at a cut agrees with central finite differences', async () => {
    const r = await onBoth(smoothModel, (vm) => tf.tidy(() => {
      const cut = vm.cuts.find((c) => c.name === 'p1')!;
      const at = input([1, 4, 4, 4], 7);
      const g = classGradient(vm, cut, at, 2);
      const eps = 1e-2;
      return [0, 1, 2].map((d) => {
        const v = input(at.shape, 100 + d);
        const fd = (vm.tailLogits(cut, tf.add(at, tf.mul(eps, v))).dataSync()[2] - vm.tailLogits(cut, tf.sub(at, tf.mul(eps, v))).dataSync()[2]) / (2 * eps);
        return { gv: tf.sum(tf.mul(g, v)).dataSync()[0], fd };
      });
    }));
    r.webgpu.forEach(({ gv, fd }, d) => {
      assert.ok(Math.abs(gv - fd) <= 1e-2 * Math.abs(fd) + 2e-4, `direction ${d}: g.v = ${gv}, FD = ${fd}`);
      assert.ok(Math.abs(gv - r.wasm[d].gv) <= 1e-4 * Math.abs(r.wasm[d].gv) + 1e-5, `direction ${d}: webgpu ${gv} vs wasm ${r.wasm[d].gv}`);
    });
  });
});

describe('webgpu: one map of every method, against wasm', { skip }, () => {
  test('the metrics\' batched predictions (20 images in batches of 16) equal wasm\'s', async () => {
    const r = await onBoth(resnet, (vm) => {
      const p = predictBatches(vm, 20, (s, m) => tf.randomUniform([m, 16, 16, 3], 0, 1, 'float32', 500 + s) as tf.Tensor4D, 2, 16);
      return { prob: Array.from(p.prob), top1: Array.from(p.top1) };
    });
    assertClose(r.webgpu.prob, r.wasm.prob, 1e-4, 'softmax probability');
    assert.deepEqual(r.webgpu.top1, r.wasm.top1);
  });

  test('tiny ViT (attention methods too): each method\'s map on webgpu equals wasm\'s', async () => {
    const maps = {} as Record<Backend, Array<{ id: string; map: Float32Array }>>;
    for (const b of ['wasm', 'webgpu'] as Backend[]) {
      await initBackend(b);
      const vm = makeTestVit({ seed: 51 });
      const x = input([1, 8, 8, 3], 22) as tf.Tensor4D;
      maps[b] = explainImage(vm, x, planMethods(vm, methodIdsFor(vm), { steps: 4, samples: 2 }), 1).maps.map((m) => ({ id: m.methodId, map: m.map }));
      x.dispose();
      vm.dispose();
    }
    assert.deepEqual(maps.webgpu.map((m) => m.id), maps.wasm.map((m) => m.id));
    const rel = maps.webgpu.map((m, i) => ({ id: m.id, rel: maxAbsDiff(m.map, maps.wasm[i].map) / Math.max(1e-12, maxAbs(maps.wasm[i].map)) }));
    console.log(`# tiny ViT: ${rel.map((w) => `${w.id} ${w.rel.toExponential(1)}`).join(', ')}`);
    assert.deepEqual(rel.filter((w) => !(w.rel <= 1e-3)), [], 'methods whose webgpu map differs from wasm\'s');
  });

  for (const [name, make] of [['small CNN', smallCnn], ['ResNet (batch norm, residual stages)', resnet]] as const) {
    test(`${name}: each method's map on webgpu equals wasm's (max difference within 1e-3 of the map's scale)`, async () => {
      const r = await onBoth(make, (vm) => {
        const x = input([1, 16, 16, 3], 21) as tf.Tensor4D;
        const out = explainImage(vm, x, planMethods(vm, methodIdsFor(vm), { steps: 4, samples: 2 }), 1);
        x.dispose();
        return out.maps.map((m) => ({ id: m.methodId, map: m.map }));
      });
      assert.deepEqual(r.webgpu.map((m) => m.id), r.wasm.map((m) => m.id));
      const worst = r.webgpu.map((m, i) => {
        const scale = Math.max(1e-12, maxAbs(r.wasm[i].map));
        return { id: m.id, rel: maxAbsDiff(m.map, r.wasm[i].map) / scale, scale };
      });
      console.log(`# ${name}: ${worst.map((w) => `${w.id} ${w.rel.toExponential(1)}`).join(', ')}`);
      const bad = worst.filter((w) => !(w.rel <= 1e-3));
      assert.deepEqual(bad, [], 'methods whose webgpu map differs from wasm\'s');
    });
  }
});
