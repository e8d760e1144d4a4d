// How 4-D values are shown outside the executor: channels-last ([B, h, w, c]) by what their axes mean, not by their
// ONNX axis order. Axis meanings are tracked from the input (NCHW) through the graph: a Transpose permutes them
// (ConvNeXt's permute(0, 2, 3, 1) makes a value whose logical order already is N, H, W, C), ops that keep their
// input's axes keep them, and everything else (convolutions, pools, reshapes) produces NCHW again.
import { identity } from './layout';

/** Ops whose 4-D output has the axes of their first 4-D tensor input. */
const KEEPS_AXES = new Set(['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Neg', 'Abs', 'Sqrt', 'Reciprocal', 'Erf', 'Floor', 'Ceil', 'Sin', 'Cos',
  'Softplus', 'Softsign', 'Selu', 'Elu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Identity', 'Dropout', 'Cast', 'Clip', 'Add', 'Sub', 'Mul',
  'Div', 'Pow', 'PRelu', 'Equal', 'Less', 'Greater', 'Not', 'Where', 'Sum', 'Max', 'Min', 'Concat', 'Slice', 'Split', 'Pad', 'Tile',
  'LayerNormalization', 'BatchNormalization', 'Softmax', 'LogSoftmax', 'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd',
  'ReduceL2', 'GlobalAveragePool', 'GlobalMaxPool', 'Expand',
  // A product with a weight replaces the features of the last axis: the axes keep their meaning.
  'MatMul']);

/** NCHW meaning indices: 0 = N, 1 = C, 2 = H, 3 = W. */
const NCHW = [0, 1, 2, 3];

/**
 * The meanings of a 4-D output's logical axes, from the op and its first 4-D tensor input's meanings (null when it
 * has none). `q` is a Transpose's perm.
 */
export function outputMeanings(opType: string, input: number[] | null, q: number[] | null): number[] {
  if (opType === 'Transpose' && input && q) return q.map((a) => input[a]);
  if (KEEPS_AXES.has(opType) && input) return input;
  return NCHW;
}

/** The presentation order of a value: logical axes listed as they are shown (N, H, W, C for 4-D, else as they are). */
export function presentationOrder(rank: number, meanings: number[] | null): number[] {
  if (rank !== 4 || !meanings) return identity(rank);
  return [0, 2, 3, 1].map((m) => meanings.indexOf(m));
}
