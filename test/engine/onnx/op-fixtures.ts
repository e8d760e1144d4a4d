// Reading the per-op fixtures of scripts/onnx-op-fixtures.py: a tiny .onnx per op and PyTorch's numbers for it
// (float32 arrays as base64). PyTorch's arrays are NCHW; the workbench's are channels-last, so images and input
// gradients are transposed here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../../main/engine/tf';

export const OP_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'onnx-ops');

export interface OpFixture {
  name: string;
  model: string;
  opset: number;
  dynamicBatch: boolean;
  /** Channels-last input [B, H, W, C]. */
  input: { shape: number[]; data: Float32Array };
  logits: { shape: number[]; data: Float32Array };
  /** The upstream weights w of the gradient: d sum(logits * w) / d input. */
  weights: Float32Array;
  /** Channels-last input gradient. */
  inputGradient: Float32Array;
}

function floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** NCHW data -> NHWC data and shape. */
export function toChannelsLast(data: Float32Array, shape: number[]): { shape: number[]; data: Float32Array } {
  return tf.tidy(() => {
    const t = tf.transpose(tf.tensor(data, shape), [0, 2, 3, 1]);
    return { shape: t.shape, data: t.dataSync() as Float32Array };
  });
}

export function opFixtureNames(): string[] {
  return readdirSync(OP_FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

export function readOpFixture(name: string): OpFixture {
  const raw = JSON.parse(readFileSync(join(OP_FIXTURES, `${name}.json`), 'utf8'));
  return {
    name,
    model: join(OP_FIXTURES, `${name}.onnx`),
    opset: raw.opset,
    dynamicBatch: raw.dynamicBatch,
    input: toChannelsLast(floats(raw.input), raw.inputShape),
    logits: { shape: raw.logitsShape, data: floats(raw.logits) },
    weights: floats(raw.weights),
    inputGradient: toChannelsLast(floats(raw.inputGradient), raw.inputShape).data,
  };
}

/** The fixture's input as a tensor (the caller disposes it). */
export function inputTensor(f: OpFixture): tf.Tensor4D {
  return tf.tensor4d(f.input.data, f.input.shape as [number, number, number, number]);
}
