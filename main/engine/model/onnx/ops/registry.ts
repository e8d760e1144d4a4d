// Every op the importer runs on tensors, and the full list of supported op types (for the unsupported-op message).
import type { OpCompiler } from '../op-types';
import { HOST_OPS } from '../host-ops';
import { conv } from './conv';
import { ELEMENTWISE_OPS } from './elementwise';
import { MATMUL_OPS } from './matmul';
import { NORMALIZATION_OPS } from './normalization';
import { POOL_OPS } from './pool';
import { REDUCE_OPS } from './reduce';
import { TENSOR_SHAPE_OPS } from './tensor-shape';

export const TENSOR_OPS: Record<string, OpCompiler> = {
  Conv: conv,
  ...ELEMENTWISE_OPS,
  ...POOL_OPS,
  ...NORMALIZATION_OPS,
  ...MATMUL_OPS,
  ...REDUCE_OPS,
  ...TENSOR_SHAPE_OPS,
};

/** Ops that read only their input's shape. */
export const SHAPE_READERS = new Set(['Shape', 'Size']);

/** Op types that run only on shape values (never on a tensor). */
const HOST_ONLY = Object.keys(HOST_OPS).filter((op) => !(op in TENSOR_OPS));

export const SUPPORTED_OPS: string[] = [...new Set([...Object.keys(TENSOR_OPS), ...HOST_ONLY, ...SHAPE_READERS, 'Constant'])].sort();
