// Tensors on the host (plain JS): initializers and Constant values as decoded from the file, and the int64 shape
// arithmetic (Shape -> Gather -> Concat -> Reshape) that the executor evaluates with numbers, never as TF.js tensors.
import type { TensorProto } from 'onnx-buf';
import { UserError } from '../../errors';

/** float32 data stays a Float32Array (weights); every integer or boolean type becomes plain numbers. */
export interface HostTensor {
  dims: number[];
  float: boolean;
  data: Float32Array | number[];
}

export const size = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

export function hostInts(dims: number[], data: number[]): HostTensor {
  return { dims, float: false, data };
}

/** TensorProto.DataType values this importer reads. */
const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, BFLOAT16 = 16;

const TYPE_NAMES: Record<number, string> = { 4: 'uint16', 5: 'int16', 8: 'string', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128' };

function float16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function bfloat16(bits: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, bits << 16, true);
  return b.getFloat32(0, true);
}

/** Copies raw little-endian bytes out of the file buffer (which may be unaligned) into typed values. */
function fromRaw(raw: Uint8Array, dataType: number, n: number): Float32Array | number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dataType) {
    case FLOAT: {
      const out = new Float32Array(n);
      new Uint8Array(out.buffer).set(raw.subarray(0, n * 4));
      return out;
    }
    case FLOAT16: return Float32Array.from({ length: n }, (_, i) => float16(view.getUint16(2 * i, true)));
    case BFLOAT16: return Float32Array.from({ length: n }, (_, i) => bfloat16(view.getUint16(2 * i, true)));
    case DOUBLE: return Float32Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
    case INT64: return Array.from({ length: n }, (_, i) => Number(view.getBigInt64(8 * i, true)));
    case INT32: return Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true));
    case INT8: return Array.from({ length: n }, (_, i) => view.getInt8(i));
    case UINT8:
    case BOOL: return Array.from({ length: n }, (_, i) => view.getUint8(i));
  }
  throw new Error(`unreachable data type ${dataType}`);
}

function fromFields(t: TensorProto, n: number): Float32Array | number[] {
  switch (t.dataType) {
    case FLOAT: return Float32Array.from(t.floatData.length ? t.floatData : new Array<number>(n).fill(0));
    case DOUBLE: return Float32Array.from(t.doubleData);
    case FLOAT16: return Float32Array.from(t.int32Data, float16);
    case BFLOAT16: return Float32Array.from(t.int32Data, bfloat16);
    case INT64: return t.int64Data.map(Number);
    default: return t.int32Data.slice();
  }
}

/**
 * Decodes one TensorProto. `external` supplies the bytes of an externally stored tensor. float16, bfloat16 and double
 * become float32, all integer and boolean types plain numbers.
 */
export function decodeTensor(t: TensorProto, where: string, external: (t: TensorProto) => Uint8Array): HostTensor {
  const dims = t.dims.map(Number);
  const n = size(dims);
  const dt = t.dataType;
  if (![FLOAT, UINT8, INT8, INT32, INT64, BOOL, FLOAT16, DOUBLE, BFLOAT16].includes(dt)) {
    throw new UserError(`${where}: tensor "${t.name}" has data type ${TYPE_NAMES[dt] ?? dt}, which DIX Workbench does not read.`,
      'Export the model with float32 weights.');
  }
  const raw = t.dataLocation === 1 ? external(t) : t.rawData;
  const data = raw.length > 0 ? fromRaw(raw, dt, n) : fromFields(t, n);
  if (data.length !== n) {
    throw new UserError(`${where}: tensor "${t.name}" should hold ${n} values but holds ${data.length}.`, 'The file is damaged; export it again.');
  }
  const float = dt === FLOAT || dt === FLOAT16 || dt === DOUBLE || dt === BFLOAT16;
  return { dims, float, data };
}

/** The values as plain numbers (for host arithmetic). */
export function numbers(t: HostTensor): number[] {
  return Array.isArray(t.data) ? t.data : Array.from(t.data);
}
