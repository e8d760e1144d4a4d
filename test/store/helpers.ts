// Shared by the store and job tests: real database files in fresh temporary folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '../../shared/json';
import type { Provenance } from '../../shared/provenance';
import { openStore, type OpenStoreOptions, type Store } from '../../main/store/index';

export function tempDir(prefix = 'dixw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A store in its own temporary folder; close() also deletes the folder. */
export function tempStore(options: Omit<OpenStoreOptions, 'path'> = {}): { store: Store; path: string; dir: string; close: () => void } {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'workbench.db');
  const store = openStore({ ...options, path });
  return {
    store,
    path,
    dir,
    close: () => {
      store.close();
      cleanup();
    },
  };
}

export function testProvenance(overrides: Partial<Provenance> = {}): Provenance {
  const now = new Date().toISOString();
  return {
    id: 'sum',
    version: 1,
    params: {},
    cutPoints: [],
    targetClass: null,
    modelHash: 'model-hash',
    datasetHash: null,
    seed: null,
    backend: { name: 'cpu', version: 'test', detail: 'test executor' },
    appVersion: 'test',
    startedAt: now,
    finishedAt: now,
    ...overrides,
  };
}

/** A valid explain spec for jobs whose executor ignores it. */
export const TEST_SPEC = { kind: 'explain', model: 'test-model', dataset: 'test-data', methods: ['sum'] } as const;

/** Items for the sum executor (test/jobs/fixtures/sum-executor.ts): item i sums [i, i+1, i+2]. */
export function sumItems(count: number, extra: Record<string, JsonValue> = {}): { key: string; payload: { [field: string]: JsonValue } }[] {
  return Array.from({ length: count }, (_, i) => ({ key: `n:${i}`, payload: { numbers: [i, i + 1, i + 2], ...extra } }));
}
