// Registered models: a folder and its content hash, so a changed model file is noticed before it is explained.
import { z } from 'zod';
import type { JsonValue } from '../../shared/json';
import type { ModelRecord } from '../../shared/store-types';
import { fromJsonAs, nowIso, toJson } from './json-column';
import { StoreError } from './store-error';
import type { Store } from './store';

export interface ModelInput {
  name: string;
  /** Absolute folder path; one record per folder. */
  path: string;
  contentHash: string;
  arch?: string | null;
  info?: Record<string, JsonValue>;
}

interface ModelRow {
  id: number;
  name: string;
  path: string;
  content_hash: string;
  arch: string | null;
  info: string;
  created_at: string;
  updated_at: string;
}

const InfoSchema = z.record(z.string(), z.json());

function toModel(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    contentHash: row.content_hash,
    arch: row.arch,
    info: fromJsonAs(InfoSchema, row.info, 'model info'),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function addModel(store: Store, input: ModelInput): ModelRecord {
  return store.transaction(() => {
    if (findModelByPath(store, input.path)) {
      throw new StoreError('in-use', `The folder ${input.path} is already registered as a model; update it instead of adding it again.`);
    }
    const now = nowIso();
    const { lastInsertRowid } = store
      .prepare('INSERT INTO models (name, path, content_hash, arch, info, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(input.name, input.path, input.contentHash, input.arch ?? null, toJson(input.info ?? {}), now, now);
    return requireModel(store, Number(lastInsertRowid));
  });
}

/** Records a new content hash (and info) after the user re-registers a changed model. */
export function updateModel(store: Store, id: number, changes: { name?: string; contentHash?: string; arch?: string | null; info?: Record<string, JsonValue> }): ModelRecord {
  return store.transaction(() => {
    const m = requireModel(store, id);
    store
      .prepare('UPDATE models SET name = ?, content_hash = ?, arch = ?, info = ?, updated_at = ? WHERE id = ?')
      .run(changes.name ?? m.name, changes.contentHash ?? m.contentHash, changes.arch === undefined ? m.arch : changes.arch, toJson(changes.info ?? m.info), nowIso(), id);
    return requireModel(store, id);
  });
}

export function getModel(store: Store, id: number): ModelRecord | undefined {
  const row = store.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  return row && toModel(row);
}

export function requireModel(store: Store, id: number): ModelRecord {
  const m = getModel(store, id);
  if (!m) throw new StoreError('not-found', `There is no model with id ${id}; "dixw model list" shows the registered ones.`);
  return m;
}

export function findModelByPath(store: Store, path: string): ModelRecord | undefined {
  const row = store.prepare('SELECT * FROM models WHERE path = ?').get(path) as ModelRow | undefined;
  return row && toModel(row);
}

export function listModels(store: Store): ModelRecord[] {
  return (store.prepare('SELECT * FROM models ORDER BY id').all() as ModelRow[]).map(toModel);
}

/** Refuses while a queued, running or paused job uses it. */
export function removeModel(store: Store, id: number): void {
  store.transaction(() => {
    requireModel(store, id);
    const users = store
      .prepare("SELECT id FROM jobs WHERE model_id = ? AND state IN ('queued', 'running', 'paused') ORDER BY id")
      .all(id) as { id: number }[];
    if (users.length > 0) {
      throw new StoreError('in-use', `Model ${id} is used by unfinished job${users.length > 1 ? 's' : ''} ${users.map((u) => u.id).join(', ')}; cancel or remove ${users.length > 1 ? 'them' : 'it'} first.`);
    }
    store.prepare('DELETE FROM models WHERE id = ?').run(id);
  });
}
