// The pure parts of the ONNX importer: layout algebra (logical vs physical axes), PyTorch module paths from node
// names, host shape arithmetic, Reshape/Slice/pooling bounds as the ONNX spec and PyTorch define them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../main/engine/tf';
import { inverse, logicalShape, NHWC, permAfterTranspose, permWithInserted, permWithout, physicalShape, relayout, transposeBetween } from '../../../main/engine/model/onnx/layout';
import { moduleAtoms } from '../../../main/engine/model/onnx/module-paths';
import { runHostOp, shapeValue, sliceBounds } from '../../../main/engine/model/onnx/host-ops';
import { reshapeTarget, stepSlice } from '../../../main/engine/model/onnx/ops/tensor-shape';
import { ceilPads } from '../../../main/engine/model/onnx/ops/pool';
import { presentationOrder, outputMeanings } from '../../../main/engine/model/onnx/presentation';
import type { OnnxNode } from '../../../main/engine/model/onnx/onnx-graph';

const node = (opType: string, attrs: Record<string, number | number[]> = {}): OnnxNode =>
  ({ opType, domain: '', name: opType, inputs: [], outputs: [], attrs: new Map(Object.entries(attrs)) });
const ints = (dims: number[], data: number[]) => ({ dims, float: false, data });

describe('layouts', () => {
  test('an NCHW value stored channels-last', () => {
    assert.deepEqual(physicalShape([2, 3, 5, 7], NHWC), [2, 5, 7, 3]);
    assert.deepEqual(logicalShape([2, 5, 7, 3], NHWC), [2, 3, 5, 7]);
    assert.deepEqual(inverse(NHWC), [0, 3, 1, 2]);
  });
  test("ConvNeXt's permute(0, 2, 3, 1) of a channels-last NCHW value makes the layout the identity (no data moves)", () => {
    assert.deepEqual(permAfterTranspose(NHWC, [0, 2, 3, 1]), [0, 1, 2, 3]);
    assert.deepEqual(permAfterTranspose([0, 1, 2, 3], [0, 3, 1, 2]), NHWC);
  });
  test('removing and inserting axes', () => {
    assert.deepEqual(permWithout(NHWC, [2, 3]), [0, 1]);
    assert.deepEqual(permWithout([0, 2, 1], [0]), [1, 0]);
    assert.deepEqual(permWithInserted([0, 1], [2, 3], 4), [0, 1, 2, 3]);
    assert.deepEqual(permWithInserted(NHWC, [4], 5), [0, 2, 3, 4, 1]);
  });
  test('relayout moves data as tf.transpose would, and moves of size-1 axes are reshapes', () => {
    const x = tf.tensor4d(Array.from({ length: 24 }, (_, i) => i), [1, 2, 3, 4]);
    const t = relayout(x, [0, 1, 2, 3], NHWC);
    assert.deepEqual(Array.from(t.dataSync()), Array.from(tf.transpose(x, NHWC).dataSync()));
    assert.deepEqual(transposeBetween(NHWC, [0, 1, 2, 3]), [0, 3, 1, 2]);
    const column = tf.ones([2, 4, 1, 1]);
    assert.deepEqual(relayout(column, [0, 1, 2, 3], NHWC).shape, [2, 1, 1, 4]);
  });
  test('presentation: channels-last by axis meaning', () => {
    assert.deepEqual(presentationOrder(4, [0, 1, 2, 3]), NHWC);
    assert.deepEqual(presentationOrder(4, outputMeanings('Transpose', [0, 1, 2, 3], [0, 2, 3, 1])), [0, 1, 2, 3]);
    assert.deepEqual(presentationOrder(3, null), [0, 1, 2]);
    assert.deepEqual(outputMeanings('Conv', [0, 2, 3, 1], null), [0, 1, 2, 3]);
  });
});

describe('PyTorch module paths from torch.onnx.export node names', () => {
  test('Sequential children repeat their parent, extra calls get _N', () => {
    assert.deepEqual(moduleAtoms('/layer4/layer4.1/relu_1/Relu'), ['layer4', '1', 'relu_1']);
    assert.deepEqual(moduleAtoms('/features/features.1/block/block.0/block.0.0/Conv'), ['features', '1', 'block', '0', '0']);
    assert.deepEqual(moduleAtoms('/features/denseblock1/denselayer2/norm1/BatchNormalization'), ['features', 'denseblock1', 'denselayer2', 'norm1']);
    assert.deepEqual(moduleAtoms('/encoder/layers/encoder_layer_11/ln_1/LayerNormalization'), ['encoder', 'layers', 'encoder_layer_11', 'ln_1']);
    assert.deepEqual(moduleAtoms('/Flatten'), []);
    assert.deepEqual(moduleAtoms('Identity_3'), []);
  });
});

describe('host shape arithmetic', () => {
  test("x.view(x.shape[0], -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape's target", () => {
    const shape = shapeValue(node('Shape'), [5, 4, 3, 3]);
    const [n] = runHostOp(node('Gather', { axis: 0 }), [shape, ints([], [0])]);
    assert.deepEqual(n, { dims: [], float: false, data: [5] });
    const [u] = runHostOp(node('Unsqueeze'), [n, ints([1], [0])]);
    const [target] = runHostOp(node('Concat', { axis: 0 }), [u, ints([1], [-1])]);
    assert.deepEqual(target.data, [5, -1]);
    assert.deepEqual(reshapeTarget([5, 4, 3, 3], target.data as number[], false), [5, 36]);
    assert.deepEqual(reshapeTarget([5, 4, 3, 3], [0, 0, -1], false), [5, 4, 9]);
  });
  test('opset 15 Shape start/end, Slice clamping, integer division', () => {
    assert.deepEqual(shapeValue(node('Shape', { start: 1, end: -1 }), [2, 3, 4, 5]).data, [3, 4]);
    assert.deepEqual(sliceBounds(-3, 9223372036854775807, 1, 10), [7, 10]);
    assert.deepEqual(sliceBounds(-1, -9223372036854775807, -1, 10), [9, -1]);
    const [q] = runHostOp(node('Div'), [ints([2], [7, -7]), ints([], [2])]);
    assert.deepEqual(q.data, [3, -3]);
    const [s] = runHostOp(node('Slice'), [ints([4], [10, 11, 12, 13]), ints([1], [1]), ints([1], [100]), ints([1], [0]), ints([1], [2])]);
    assert.deepEqual(s.data, [11, 13]);
  });
});

describe('bounds', () => {
  test("ceil_mode keeps the last window only if it starts inside the input or its left padding (PyTorch's rule)", () => {
    assert.deepEqual(ceilPads([7, 7], [2, 2], [2, 2], [[0, 0], [0, 0], [0, 0], [0, 0]]), [[0, 0], [0, 1], [0, 1], [0, 0]]);
    assert.deepEqual(ceilPads([8, 8], [3, 3], [2, 2], [[0, 0], [1, 1], [1, 1], [0, 0]]), [[0, 0], [1, 2], [1, 2], [0, 0]]);
    assert.deepEqual(ceilPads([5, 5], [2, 2], [2, 2], [[0, 0], [1, 1], [1, 1], [0, 0]]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
    assert.deepEqual(ceilPads([6, 6], [3, 3], [2, 2], [[0, 0], [0, 0], [0, 0], [0, 0]]), [[0, 0], [0, 1], [0, 1], [0, 0]]);
  });
  test('strided and reversed slices from differentiable ops', () => {
    const x = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(stepSlice(x, 0, 1, 10, 3).dataSync()), [1, 4, 7]);
    assert.deepEqual(Array.from(stepSlice(x, 0, 8, 1, -2).dataSync()), [8, 6, 4, 2]);
    assert.deepEqual(Array.from(stepSlice(x, 0, 9, -1, -1).dataSync()), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });
});
