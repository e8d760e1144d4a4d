// T-Attr on ONNX ViTs (issue 11): the encoder weights are read from the graph (onnx-encoder-weights.ts) of small
// seeded ViTs that scripts/onnx-vit-tattr-reference.py exports at test time (Debian's python3-torch): torchvision's
// VisionTransformer and a timm-layout ViT written in that script, at opsets 17 (LayerNormalization) and 14 (LayerNorm
// decomposed), and with GELU's tanh form. The script also computes, in float64 from the modules' own weights, the
// logits, rollout, GAE and T-Attr maps and T-Attr's attention relevances with its own implementation of Chefer's
// rules. The weights read must reproduce the logits, and the maps must equal PyTorch's: to 1e-4 of their largest
// value, or, where LRP's divisions make an image ill-conditioned, to within twice what float32 rounding moves them
// (the script measures that spread: PyTorch's own float32 run, and float64 runs from tokens jittered as float32 does).
// Graphs whose MLP is not Linear-GELU-Linear, or whose q, k and v come from three Linears, are refused by name.
// Skipped only when /usr/bin/python3 cannot import torch (the fixed-batch fixture test runs always).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../../main/engine/tf';
import { initBackend } from '../../main/engine/backend/select-backend';
import { loadOnnxVisionModel } from '../../main/engine/model/onnx/load-onnx';
import type { AttentionModel, VisionModel } from '../../main/engine/model/vision-model';
import { explainImage, planMethods } from '../../main/engine/explain/explain-image';
import { encoderRelevance } from '../../main/engine/explain/methods/tattr-lrp';
import { isUserError } from '../../main/engine/errors';
import { readNpy } from '../../main/engine/data/npy';
import { PYTHON, nchwToNhwc, pytorchUnavailable } from '../helpers/pytorch';
import { tempDir } from '../store/helpers';
import { assertClose } from './helpers';

const skip = pytorchUnavailable() ?? false;
const SCRIPT = fileURLToPath(new URL('../../scripts/onnx-vit-tattr-reference.py', import.meta.url));
const FIXED_BATCH_VIT = fileURLToPath(new URL('../fixtures/onnx/tiny-vit-op14/model.onnx', import.meta.url));
const IMAGES = 4;

interface ModelReference {
  refused: boolean; targets: number[]; heads: number; tokens: number; grid: [number, number]; blocks: number; opset: number;
  /** Per image, how far float32 rounding moves the T-Attr map and each block's relevance (relative to the largest value). */
  spread: { tattr: number[]; relevance: number[][] };
}

function npy(dir: string, name: string): { data: Float32Array; shape: number[] } {
  const a = readNpy(join(dir, `${name}.npy`));
  return { data: a.data as Float32Array, shape: [...a.shape] };
}

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** 1e-4, or twice what float32 rounding moves the value where LRP's divisions make it ill-conditioned. */
const conditionedTolerance = (spread: number) => Math.max(1e-4, 2 * spread);

function loadInput(dir: string): tf.Tensor4D {
  const input = npy(dir, 'input');
  const nhwc = nchwToNhwc(input.data, input.shape);
  return tf.tensor4d(nhwc.data, nhwc.shape as [number, number, number, number]);
}

describe('T-Attr on ONNX ViTs against PyTorch', { skip }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let refs: Record<string, ModelReference>;

  before(async () => {
    await initBackend('wasm');
    tmp = tempDir('dixw-onnx-vit-tattr-');
    const r = spawnSync(PYTHON, [SCRIPT, tmp.dir, '--images', String(IMAGES)], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    assert.equal(r.status, 0, r.stderr);
    refs = JSON.parse(readFileSync(join(tmp.dir, 'reference.json'), 'utf8')) as Record<string, ModelReference>;
  });
  after(() => tmp?.cleanup());

  const models: Array<[string, 'erf' | 'tanh']> = [['tv17', 'erf'], ['tv14', 'erf'], ['timm17', 'erf'], ['timm14', 'erf'], ['timm17-tanh', 'tanh']];
  for (const [name, gelu] of models) {
    describe(name, () => {
      let vm: VisionModel;
      let am: AttentionModel;
      let x: tf.Tensor4D;
      let dir: string;
      let ref: ModelReference;

      before(async () => {
        dir = join(tmp.dir, name);
        ref = refs[name];
        vm = await loadOnnxVisionModel(join(dir, 'model.onnx'), null);
        const a = vm.attention();
        assert.ok(a, `attention not found: ${vm.attentionProblem}`);
        am = a;
        x = loadInput(dir);
      });
      after(() => {
        vm?.dispose();
        x?.dispose();
      });

      test('recognised as a ViT; the encoder weights read from the graph reproduce PyTorch\'s logits', () => {
        assert.deepEqual([am.blocks, am.heads, am.tokens, am.grid], [ref.blocks, ref.heads, ref.tokens, ref.grid]);
        const e = am.encoder?.();
        assert.ok(e, `encoder not read: ${am.encoderProblem}`);
        assert.equal(e.blocks.length, ref.blocks);
        assert.equal(e.gelu, gelu);
        assert.ok(Math.abs(e.norm.eps - 1e-6) < 1e-12 && e.blocks.every((b) => Math.abs(b.norm1.eps - 1e-6) < 1e-12));
        const logits = npy(dir, 'logits');
        const k = logits.shape[1];
        for (let i = 0; i < IMAGES; i++) {
          const own = tf.tidy(() => {
            const tokens = am.tokensBefore(tf.slice(x, i, 1), 0);
            return encoderRelevance(tf.reshape(tokens, tokens.shape.slice(1)), e, am.heads, ref.targets[i]).logits.dataSync();
          });
          assertClose(own, logits.data.subarray(i * k, (i + 1) * k), 1e-5, `logits of image ${i} from the weights read`);
        }
      });

      test('rollout, GAE and T-Attr maps, and T-Attr\'s attention relevances, equal PyTorch\'s', () => {
        const plan = planMethods(vm, ['rollout', 'gae', 'tattr'], {});
        const maps = Object.fromEntries(['rollout', 'gae', 'tattr'].map((m) => [m, npy(dir, m)]));
        const size = maps.tattr.shape[1] * maps.tattr.shape[2];
        const e = am.encoder!()!;
        for (let i = 0; i < IMAGES; i++) {
          const xi = tf.slice(x, i, 1);
          const r = explainImage(vm, xi, plan, null);
          assert.equal(r.targetClass, ref.targets[i]);
          for (const m of r.maps) {
            const tol = m.methodId === 'tattr' ? conditionedTolerance(ref.spread.tattr[i]) : 1e-4;
            assertClose(m.map, maps[m.methodId].data.subarray(i * size, (i + 1) * size), tol, `${m.methodId} map of image ${i}`);
          }
          const relevance = tf.tidy(() => {
            const tokens = am.tokensBefore(xi, 0);
            return encoderRelevance(tf.reshape(tokens, tokens.shape.slice(1)), e, am.heads, ref.targets[i]).attention.map((t) => t.dataSync());
          });
          for (let b = 0; b < ref.blocks; b++) {
            const per = am.heads * am.tokens * am.tokens;
            const expected = npy(dir, `relevance_${b}`).data.subarray(i * per, (i + 1) * per);
            assertClose(relevance[b], expected, conditionedTolerance(ref.spread.relevance[i][b]), `T-Attr relevance of block ${b}'s attention, image ${i}`);
          }
          xi.dispose();
        }
      });
    });
  }

  test('the weights are the model\'s current ones: after a randomization writes one, they still reproduce the logits', async () => {
    const vm = await loadOnnxVisionModel(join(tmp.dir, 'timm14', 'model.onnx'), null);
    try {
      const am = vm.attention()!;
      const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 7);
      const before = vm.predict(x);
      for (const name of ['blocks.1.mlp.fc1', 'blocks.2.norm1', 'head']) {
        const module = vm.parameterizedModules().find((m) => m.name === name);
        assert.ok(module, `module ${name}`);
        for (const w of module.weights) {
          const fresh = w.fresh(5);
          w.write(fresh);
          fresh.dispose();
        }
      }
      const after = vm.predict(x);
      assert.ok(maxDiff(after.dataSync(), before.dataSync()) > 1e-3, 'the writes change the model');
      const own = tf.tidy(() => {
        const tokens = am.tokensBefore(x, 0);
        return encoderRelevance(tf.reshape(tokens, tokens.shape.slice(1)), am.encoder!()!, am.heads, 0).logits.dataSync();
      });
      assertClose(own, after.dataSync(), 1e-5, 'logits from the weights read after the writes');
      tf.dispose([x, before, after]);
    } finally {
      vm.dispose();
    }
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['relu-mlp', 'whose MLP is not Linear-GELU-Linear', /not the standard pre-norm ViT blocks it reads: block 0's MLP: no GELU .* fc1's output is read by Relu/],
    ['separate-qkv', 'whose q, k and v come from three Linears', /not the standard pre-norm ViT blocks it reads: block 0's qkv projection: 3 Linears read its input .*, not one/],
  ];
  for (const [name, what, message] of refusals) {
    test(`a graph ${what} is refused by tattr, naming the piece, and stays a ViT to the other methods`, async () => {
      assert.equal(refs[name].refused, true);
      const vm = await loadOnnxVisionModel(join(tmp.dir, name, 'model.onnx'), null);
      try {
        assert.ok(vm.attention(), 'its attention is found');
        assert.throws(() => planMethods(vm, ['tattr'], {}), (e: unknown) => {
          assert.ok(isUserError(e));
          const text = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`;
          assert.match(text, message);
          assert.match(text, /gae, rollout or dix3/);
          return true;
        });
        planMethods(vm, ['rollout', 'gae'], {});
      } finally {
        vm.dispose();
      }
    });
  }
});

describe('T-Attr on an ONNX ViT exported with a fixed batch of 1 (opset 14)', () => {
  test('its encoder is read and tattr gives a finite, non-zero map', async () => {
    await initBackend('wasm');
    const vm = await loadOnnxVisionModel(FIXED_BATCH_VIT, null);
    try {
      const am = vm.attention()!;
      assert.ok(am.encoder?.(), `encoder not read: ${am.encoderProblem}`);
      const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const r = explainImage(vm, x, planMethods(vm, ['tattr'], {}), null);
      assert.ok(r.maps[0].map.every(Number.isFinite) && maxAbs(r.maps[0].map) > 0);
      x.dispose();
    } finally {
      vm.dispose();
    }
  });
});
