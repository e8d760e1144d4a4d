// The batch chooser of backend/batch-memory.ts on hand-made numbers: pure arithmetic, no backend needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATION_FACTOR, chooseBatchSize, memoryBudget, WASM_HEAP_LIMIT } from '../../main/engine/backend/batch-memory';

const MB = 1024 ** 2;

test('the largest batch whose activations fit, within 1..total', () => {
  // 60 MB of tail activations per sample, x5 = 300 MB each: 2.4 GB holds 8.
  assert.equal(chooseBatchSize({ bytesPerSample: 60 * MB, total: 10, availableBytes: 2400 * MB }), 8);
  assert.equal(chooseBatchSize({ bytesPerSample: 60 * MB, total: 10, availableBytes: 2399 * MB }), 7);
  // plenty of room: never more than there are samples
  assert.equal(chooseBatchSize({ bytesPerSample: 1 * MB, total: 10, availableBytes: 4000 * MB }), 10);
  // no room at all: still one at a time
  assert.equal(chooseBatchSize({ bytesPerSample: 60 * MB, total: 10, availableBytes: 0 }), 1);
  assert.equal(chooseBatchSize({ bytesPerSample: 60 * MB, total: 10, availableBytes: -5 }), 1);
  // an explicit factor and cap
  assert.equal(chooseBatchSize({ bytesPerSample: 100, total: 50, availableBytes: 1000, activationFactor: 2 }), 5);
  assert.equal(chooseBatchSize({ bytesPerSample: 100, total: 50, availableBytes: 1e9, maxBatch: 4 }), 4);
  assert.equal(ACTIVATION_FACTOR, 5);
});

test('wasm budget: the 4 GB address space minus live tensors, packed weights and a reserve', () => {
  const b = memoryBudget({ backend: 'wasm', liveBytes: 600 * MB, weightBytes: 550 * MB, heapBytes: 2000 * MB, env: {} });
  const reserve = 0.1 * WASM_HEAP_LIMIT + 256 * MB;
  assert.equal(b.limitBytes, WASM_HEAP_LIMIT);
  assert.equal(b.availableBytes, WASM_HEAP_LIMIT - 600 * MB - 550 * MB - reserve);
  assert.equal(b.heapBytes, 2000 * MB);
  // full-width VGG-16 at 224x224, IG from the input (61 MB of activations per sample): 7 interpolants, not 10
  assert.equal(chooseBatchSize({ bytesPerSample: 61e6, total: 10, availableBytes: b.availableBytes }), 7);
  // the same on a small model fits whole
  assert.equal(chooseBatchSize({ bytesPerSample: 0.2e6, total: 10, availableBytes: b.availableBytes }), 10);
  // never negative
  assert.equal(memoryBudget({ backend: 'wasm', liveBytes: 5000 * MB, env: {} }).availableBytes, 0);
});

test('other backends: half the free memory; GPU 2 GB or DIXW_BATCH_MEMORY_MB', () => {
  assert.equal(memoryBudget({ backend: 'cpu', liveBytes: 0, freeMemoryBytes: 8000 * MB, env: {} }).availableBytes, 4000 * MB);
  assert.equal(memoryBudget({ backend: 'tensorflow-gpu', liveBytes: 500 * MB, env: {} }).availableBytes, 2048 * MB - 500 * MB);
  assert.equal(memoryBudget({ backend: 'tensorflow-gpu', liveBytes: 0, env: { DIXW_BATCH_MEMORY_MB: '8000' } }).availableBytes, 8000 * MB);
  assert.equal(memoryBudget({ backend: 'wasm', liveBytes: 0, weightBytes: 0, env: { DIXW_BATCH_MEMORY_MB: '1000' } }).limitBytes, 1000 * MB);
});
