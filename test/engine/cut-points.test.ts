// Cut points (docs/methods.md §1.1): which layer outputs are valid cuts, which are the default block outputs, how bad names are
// refused, and that running the tail f^l from every valid cut reproduces the full forward pass (run-from.ts relies
// on tfjs-layers internals, so this is its guard).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { buildArchitecture } from '../../main/engine/model/architectures/registry';
import { defaultCutPoints, lastCutPoint, resolveCutPoints } from '../../main/engine/model/cut-points';
import type { LayersModel } from '../../main/engine/model/layers/run-from';
import { wrapModel } from '../../main/engine/model/layers/layers-vision-model';
import { planMethods } from '../../main/engine/explain/explain-image';
import { assertUserError, maxAbsDiff } from './helpers';

before(async () => {
  await initBackend('wasm');
});

/** The model behind the engine's interface (cut points are looked up by name, so wrapping twice is harmless). */
const vmOf = (m: LayersModel) => wrapModel(m, null, 'test', null);
const listCutPoints = (m: LayersModel) => vmOf(m).cuts;

type Shape = [number, number, number];

function build(arch: string, inputShape: Shape, width = 0.125): LayersModel {
  return buildArchitecture(arch, { inputShape, numClasses: 7, width, seed: 3 });
}

/** Runs the tail from every valid cut with the prefix activation and returns the largest deviation from predict. */
function tailDeviation(model: LayersModel, inputShape: number[]): { maxDiff: number; count: number } {
  const cuts = listCutPoints(model);
  return tf.tidy(() => {
    const x = tf.randomNormal([2, ...inputShape], 0, 1, 'float32', 11);
    const full = model.predict(x) as tf.Tensor;
    const { activations, logits } = vmOf(model).forwardWithActivations(x, cuts);
    let maxDiff = maxAbsDiff(logits.dataSync(), full.dataSync());
    cuts.forEach((c, i) => {
      assert.deepEqual(activations[i].shape.slice(1), c.shape, `activation shape at ${c.name}`);
      const y = vmOf(model).tailLogits(c, activations[i]);
      maxDiff = Math.max(maxDiff, maxAbsDiff(y.dataSync(), full.dataSync()));
    });
    return { maxDiff, count: cuts.length };
  });
}

describe('running the tail from every valid cut equals model.predict', () => {
  const cases: Array<[string, Shape]> = [
    ['small-cnn', [28, 28, 1]],
    ['small-cnn', [32, 32, 3]],
    ['vgg11', [32, 32, 3]],
    ['vgg11', [64, 64, 3]],
    ['vgg16', [32, 32, 3]],
    ['vgg16', [64, 64, 3]],
    ['vgg19', [32, 32, 3]],
    ['vgg19', [64, 64, 3]],
    ['resnet18', [32, 32, 3]],
    ['resnet18', [64, 64, 3]],
  ];
  for (const [arch, shape] of cases) {
    test(`${arch} @ ${shape.join('x')}`, () => {
      const model = build(arch, shape);
      const { maxDiff, count } = tailDeviation(model, shape);
      assert.ok(count >= 5, `only ${count} cuts`);
      assert.ok(maxDiff < 1e-5, `max |tail - predict| = ${maxDiff}`);
      model.dispose();
    });
  }
  test('vgg16 with batch norm @ 32x32', () => {
    const model = buildArchitecture('vgg16', { inputShape: [32, 32, 3], numClasses: 5, width: 0.125, batchNorm: true, seed: 2 });
    const { maxDiff } = tailDeviation(model, [32, 32, 3]);
    assert.ok(maxDiff < 1e-5, `max |tail - predict| = ${maxDiff}`);
    model.dispose();
  });
});

describe('resnet18 cut points', () => {
  const inside = ['conv1', 'bn1', 'relu1', 'conv2', 'bn2', 'proj', 'proj_bn'];

  test('valid cuts are exactly the stem, block joins and block outputs (nothing inside a residual block)', () => {
    const model = build('resnet18', [32, 32, 3]);
    const names = listCutPoints(model).map((c) => c.name);
    const expected = ['input', 'stem_conv', 'stem_bn', 'stem_relu'];
    for (let s = 1; s <= 4; s++) expected.push(`stage${s}_block1_add`, `stage${s}_block1_out`, `stage${s}_block2_add`, `stage${s}_out`);
    expected.push('gap');
    assert.deepEqual(names, expected);
    for (const layer of model.layers) {
      if (inside.some((suffix) => /^stage\d_block\d_/.test(layer.name) && layer.name.endsWith(`_${suffix}`))) {
        assert.ok(!names.includes(layer.name), `${layer.name} is inside a residual block but listed as a cut`);
      }
    }
    model.dispose();
  });

  test('default L-2, L-1, L are the last three stage outputs (32 and 64 px)', () => {
    for (const size of [32, 64]) {
      const model = build('resnet18', [size, size, 3]);
      const cuts = listCutPoints(model);
      assert.deepEqual(defaultCutPoints(cuts, 3).map((c) => c.name), ['stage2_out', 'stage3_out', 'stage4_out']);
      assert.equal(lastCutPoint(cuts).name, 'stage4_out');
      // Residual stages end at their last cut (the stage output), even where the stage starts with a pooling layer.
      const blocks = cuts.filter((c) => c.isBlockOutput).map((c) => c.name);
      const stages = ['stage1_out', 'stage2_out', 'stage3_out', 'stage4_out'];
      // At 64 px the stem halves the resolution once more before its pool (the 32x32 stem_relu ends that resolution).
      assert.deepEqual(blocks, size === 64 ? ['stem_relu', ...stages] : stages);
      model.dispose();
    }
  });

  test('a layer inside a residual block is refused with a UserError that lists valid cuts', async () => {
    const model = build('resnet18', [32, 32, 3]);
    const cuts = listCutPoints(model);
    for (const name of ['stage2_block1_relu1', 'stage2_block1_conv2', 'stage3_block2_bn1', 'stage2_block1_proj']) {
      const err = await assertUserError(() => resolveCutPoints(vmOf(model), [name]), new RegExp(`"${name}" is not a valid cut`),
        /skip connection/, /Valid cut points: .*stage2_out.*stage3_out.*stage4_out/);
      const listed = /Valid cut points: ([^.]*)\./.exec(err.text)![1].split(', ');
      for (const l of listed) assert.ok(cuts.some((c) => c.name === l), `${l} listed as valid but is not a cut`);
      assert.ok(!listed.includes(name));
    }
    // The same through a method's parameters, as `--layers` would.
    const vm = wrapModel(model, null, 'h', null);
    await assertUserError(() => planMethods(vm, ['dix1'], { layers: ['stage2_block1_conv2'] }), /not a valid cut point/, /stage4_out/);
    await assertUserError(() => planMethods(vm, ['gradcam'], { layers: ['stage2_block1_relu1'] }), /not a valid cut point/);
    model.dispose();
  });

  test('an unknown layer name gets a UserError naming it and the valid cuts', async () => {
    const model = build('resnet18', [32, 32, 3]);
    await assertUserError(() => resolveCutPoints(vmOf(model), ['stage9_out']), /no layer named "stage9_out"/, /Valid cut points: .*stage4_out/);
    model.dispose();
  });
});

describe('default cut points of the chain networks', () => {
  test('vgg16 @ 64: block3_pool, block4_pool, block5_pool', () => {
    const model = build('vgg16', [64, 64, 3]);
    const cuts = listCutPoints(model);
    assert.deepEqual(defaultCutPoints(cuts, 3).map((c) => c.name), ['block3_pool', 'block4_pool', 'block5_pool']);
    assert.deepEqual(defaultCutPoints(cuts, 2).map((c) => c.name), ['block4_pool', 'block5_pool']);
    assert.equal(lastCutPoint(cuts).name, 'block5_pool');
    // Below the input resolution, each block output is the pool that starts a resolution.
    assert.deepEqual(cuts.filter((c) => c.isBlockOutput && c.shape[0] < 64).map((c) => c.name),
      ['block1_pool', 'block2_pool', 'block3_pool', 'block4_pool', 'block5_pool']);
    model.dispose();
  });

  test('a 1x1 feature map is never a default cut (vgg @ 32: L = block4_pool, 2x2)', () => {
    for (const arch of ['vgg11', 'vgg16', 'vgg19']) {
      const model = build(arch, [32, 32, 3]);
      const cuts = listCutPoints(model);
      assert.deepEqual(cuts.find((c) => c.name === 'block5_pool')?.shape.slice(0, 2), [1, 1]);
      assert.deepEqual(defaultCutPoints(cuts, 3).map((c) => c.name), ['block2_pool', 'block3_pool', 'block4_pool']);
      model.dispose();
    }
  });

  test('small-cnn @ 28: block1_pool, block2_pool, block3_pool', () => {
    const model = build('small-cnn', [28, 28, 1], 0.25);
    const cuts = listCutPoints(model);
    assert.deepEqual(defaultCutPoints(cuts, 3).map((c) => c.name), ['block1_pool', 'block2_pool', 'block3_pool']);
    model.dispose();
  });

  test('the methods resolve these defaults into their params', () => {
    const model = build('vgg16', [64, 64, 3]);
    const vm = wrapModel(model, null, 'h', null);
    const [d3, d1, cam] = planMethods(vm, ['dix3', 'dix1', 'gradcam'], {});
    assert.deepEqual(d3.params.layers, ['block3_pool', 'block4_pool', 'block5_pool']);
    assert.deepEqual(d1.params.layers, ['block5_pool']);
    assert.deepEqual(cam.params.layers, ['block5_pool']);
    model.dispose();
  });

  test('a flat (non-spatial) cut is refused for the image methods with a UserError', async () => {
    const model = build('small-cnn', [28, 28, 1], 0.25);
    const vm = wrapModel(model, null, 'h', null);
    await assertUserError(() => planMethods(vm, ['dix1'], { layers: ['fc1'] }), /fc1/, /spatial/);
    await assertUserError(() => planMethods(vm, ['gradcam'], { layers: ['flatten'] }), /flatten/, /spatial/);
    model.dispose();
  });
});

describe('the crossing rule on hand-built functional models', () => {
  function conv(x: ReturnType<typeof tfl.input>, name: string, filters = 4) {
    return tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name }).apply(x) as ReturnType<typeof tfl.input>;
  }

  test('a long skip (c1 -> concat) invalidates the layers it jumps over, not its source or its join', async () => {
    const input = tfl.input({ shape: [8, 8, 3], name: 'in' });
    const c1 = conv(input, 'c1');
    const a1 = conv(c1, 'a1');
    const a2 = conv(a1, 'a2');
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([a2, c1]) as ReturnType<typeof tfl.input>;
    const c3 = conv(cat, 'c3');
    const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(c3) as ReturnType<typeof tfl.input>;
    const out = tfl.layers.dense({ units: 3, name: 'logits' }).apply(gap) as ReturnType<typeof tfl.input>;
    const model = tfl.model({ inputs: input, outputs: out });
    const cuts = listCutPoints(model);
    assert.deepEqual(cuts.map((c) => c.name), ['in', 'c1', 'cat', 'c3', 'gap']);
    assert.deepEqual(cuts.find((c) => c.name === 'cat')!.shape, [8, 8, 8]);
    for (const bad of ['a1', 'a2']) await assertUserError(() => resolveCutPoints(vmOf(model), [bad]), /not a valid cut point/, /c1, cat, c3/);
    assert.ok(tailDeviation(model, [8, 8, 3]).maxDiff < 1e-5);
    model.dispose();
  });

  test('two parallel branches that rejoin: every layer on either branch is crossed', async () => {
    const input = tfl.input({ shape: [8, 8, 3], name: 'in' });
    const c1 = conv(input, 'c1');
    const p2 = conv(conv(c1, 'p1'), 'p2');
    const q1 = conv(c1, 'q1');
    const join = tfl.layers.add({ name: 'join' }).apply([p2, q1]) as ReturnType<typeof tfl.input>;
    const pool = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(join) as ReturnType<typeof tfl.input>;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(pool) as ReturnType<typeof tfl.input>;
    const out = tfl.layers.dense({ units: 3, name: 'logits' }).apply(flat) as ReturnType<typeof tfl.input>;
    const model = tfl.model({ inputs: input, outputs: out });
    const cuts = listCutPoints(model);
    assert.deepEqual(cuts.map((c) => c.name), ['in', 'c1', 'join', 'pool', 'flat']);
    for (const bad of ['p1', 'p2', 'q1']) await assertUserError(() => resolveCutPoints(vmOf(model), [bad]), /not a valid cut point/);
    // Block outputs: the pool that starts the 4x4 resolution; at 8x8 the last cut of the stage (the join).
    assert.deepEqual(cuts.filter((c) => c.isBlockOutput).map((c) => c.name), ['join', 'pool']);
    assert.ok(tailDeviation(model, [8, 8, 3]).maxDiff < 1e-5);
    model.dispose();
  });

  test('a skip from the input crosses everything up to its join', () => {
    const input = tfl.input({ shape: [8, 8, 3], name: 'in' });
    const b = conv(conv(input, 'b1', 3), 'b2', 3);
    const join = tfl.layers.add({ name: 'join' }).apply([b, input]) as ReturnType<typeof tfl.input>;
    const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(join) as ReturnType<typeof tfl.input>;
    const out = tfl.layers.dense({ units: 2, name: 'logits' }).apply(gap) as ReturnType<typeof tfl.input>;
    const model = tfl.model({ inputs: input, outputs: out });
    assert.deepEqual(listCutPoints(model).map((c) => c.name), ['in', 'join', 'gap']);
    model.dispose();
  });
});

test('a Sequential model (whose layers list hides its InputLayer) has the input as cut 0 and runs from every cut', async () => {
  await initBackend('wasm');
  const m = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 3 }),
  ] });
  const cuts = listCutPoints(m);
  assert.equal(cuts[0].position, 0);
  assert.equal(cuts[0].className, 'InputLayer');
  assert.deepEqual(defaultCutPoints(cuts, 2).map((c) => c.className), ['MaxPooling2D', 'MaxPooling2D']);
  const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 11);
  const full = m.predict(x) as tf.Tensor;
  const { activations } = vmOf(m).forwardWithActivations(x, cuts);
  cuts.forEach((c, i) => {
    const y = vmOf(m).tailLogits(c, activations[i]);
    assert.ok(tf.max(tf.abs(tf.sub(y, full))).dataSync()[0] < 1e-5, `from ${c.name}`);
  });
});
