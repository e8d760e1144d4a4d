// Files the user exported (figures, tables, maps), so the app can list and re-open them.
import { z } from 'zod';
import type { JsonValue } from '../../shared/json';
import type { ExportRecord } from '../../shared/store-types';
import { fromJsonAs, nowIso, toJson } from './json-column';
import type { Store } from './store';

export interface ExportInput {
  jobId: number | null;
  kind: string;
  format: string;
  path: string;
  params?: Record<string, JsonValue>;
}

interface ExportRow {
  id: number;
  job_id: number | null;
  kind: string;
  format: string;
  path: string;
  params: string;
  created_at: string;
}

const ParamsSchema = z.record(z.string(), z.json());

function toExport(row: ExportRow): ExportRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    kind: row.kind,
    format: row.format,
    path: row.path,
    params: fromJsonAs(ParamsSchema, row.params, 'export parameters'),
    createdAt: row.created_at,
  };
}

export function addExport(store: Store, input: ExportInput): ExportRecord {
  const { lastInsertRowid } = store
    .prepare('INSERT INTO exports (job_id, kind, format, path, params, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(input.jobId, input.kind, input.format, input.path, toJson(input.params ?? {}), nowIso());
  return toExport(store.prepare('SELECT * FROM exports WHERE id = ?').get(Number(lastInsertRowid)) as ExportRow);
}

export function listExports(store: Store, filter: { jobId?: number } = {}): ExportRecord[] {
  const rows = (
    filter.jobId === undefined
      ? store.prepare('SELECT * FROM exports ORDER BY id DESC').all()
      : store.prepare('SELECT * FROM exports WHERE job_id = ? ORDER BY id DESC').all(filter.jobId)
  ) as ExportRow[];
  return rows.map(toExport);
}

export function removeExport(store: Store, id: number): void {
  store.prepare('DELETE FROM exports WHERE id = ?').run(id);
}
